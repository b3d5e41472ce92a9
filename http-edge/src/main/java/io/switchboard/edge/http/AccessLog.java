package io.switchboard.edge.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One Common Log Format line per HTTP request ({@code --access-log=FILE}): {@code host - - [time] "request" status
 * bytes}, the host being the client address the listener resolved (behind a trusted proxy, the client's). Written
 * through its own logger, which the appliance's logging sends to its own rolling file, or nowhere when the option is unset
 * (then {@link #enabled} is false and callers skip building the line).
 */
public final class AccessLog
{
    public static final String LOGGER = "switchboard.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private AccessLog()
    {
    }

    public static boolean enabled()
    {
        return LOG.isInfoEnabled();
    }

    /**
     * @param requestLine {@code GET /path?query HTTP/1.1}, as the client sent it
     * @param bytes       response body bytes, or -1 when unknown ({@code -} in the line)
     */
    public static void log(final InetAddress client, final String requestLine, final int status, final long bytes)
    {
        LOG.info("{} - - [{}] \"{}\" {} {}", client == null ? "-" : client.getHostAddress(),
            TIME.format(ZonedDateTime.now()), requestLine.replace("\"", "%22"), status, bytes < 0 ? "-" : bytes);
    }
}
