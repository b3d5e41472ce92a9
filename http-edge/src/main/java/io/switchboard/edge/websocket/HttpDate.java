package io.switchboard.edge.websocket;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The {@code Date} header's value (RFC 9110 §5.6.7, IMF-fixdate), made once a second. Thread-safe. */
final class HttpDate
{
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static volatile Cached cached = new Cached(Long.MIN_VALUE, "");

    private HttpDate()
    {
    }

    static String now()
    {
        final long second = System.currentTimeMillis() / 1_000;
        Cached current = cached;
        if (current.second != second)
        {
            current = new Cached(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            cached = current;
        }
        return current.value;
    }

    private record Cached(long second, String value)
    {
    }
}
