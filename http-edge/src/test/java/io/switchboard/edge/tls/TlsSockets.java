package io.switchboard.edge.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** A test's TLS client sockets to the appliance: from a chosen loopback host, with chosen ALPN offers. */
final class TlsSockets
{
    static final int READ_TIMEOUT_MS = 10_000;

    private TlsSockets()
    {
    }

    /** A socket to 127.0.0.1:{@code port} from {@code sourceHost}, checking the name as https does; not yet shaken. */
    static SSLSocket connect(
        final SSLContext client, final String sourceHost, final int port, final String... applicationProtocols)
        throws IOException
    {
        final SSLSocket socket = (SSLSocket)client.getSocketFactory().createSocket(
            InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(sourceHost), 0);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(applicationProtocols);
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** One keep-alive {@code GET path} on {@code socket}: the response head and body. */
    static String get(final SSLSocket socket, final String path) throws IOException
    {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        final InputStream in = socket.getInputStream();
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        final String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (final String line : text.split("\r\n"))
        {
            if (line.regionMatches(true, 0, "content-length:", 0, "content-length:".length()))
            {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
