package io.switchboard.edge.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.protocol.proxy.ForwardedFor;
import io.switchboard.protocol.proxy.ProxyHeader;
import io.switchboard.protocol.proxy.TrustedProxies;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY header decoder and the Forwarded/X-Forwarded-For reader over any bytes a peer can send first: no
 * exception; a header's length never past the bytes; every shorter prefix of a whole header asks for more, and what
 * follows a header never changes it; a v1 TCP4 header re-encodes to its own bytes.
 */
class ProxyHeaderFuzzTest
{
    private static final TrustedProxies TRUSTED = TrustedProxies.parse("10.0.0.0/8, 2001:db8::/32");

    @FuzzTest
    void header(final byte[] bytes)
    {
        final ProxyHeader header = new ProxyHeader();
        final int result = header.decode(ByteBuffer.wrap(bytes), 0, bytes.length);
        assertTrue(result >= ProxyHeader.TOO_LONG && result <= bytes.length, "result " + result);
        if (result <= 0)
        {
            return;
        }
        final InetSocketAddress source = header.source();
        final int family = header.family();
        final int version = header.version();
        final int sourcePort = header.sourcePort();
        for (int length = 0; length < result; length++)
        {
            assertEquals(ProxyHeader.NEED_MORE, header.decode(ByteBuffer.wrap(bytes), 0, length), "prefix " + length);
        }
        final byte[] followed = Arrays.copyOf(bytes, result + 8);
        Arrays.fill(followed, result, followed.length, (byte)'G');
        assertEquals(result, header.decode(ByteBuffer.wrap(followed), 0, followed.length));
        assertEquals(source, header.source());
        if (version == 1 && family == ProxyHeader.FAMILY_INET)
        {
            assertNotNull(source);
            final String line = "PROXY TCP4 " + source.getAddress().getHostAddress() + " " +
                header.destination().getAddress().getHostAddress() + " " + sourcePort + " " +
                header.destinationPort() + "\r\n";
            assertEquals(line, new String(bytes, 0, result, StandardCharsets.ISO_8859_1));
        }
    }

    @FuzzTest
    void forwarded(final byte[] bytes)
    {
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        for (final ForwardedFor.Resolution resolution : List.of(
            ForwardedFor.resolve(List.of(text), null, TRUSTED), ForwardedFor.resolve(null, List.of(text), TRUSTED)))
        {
            assertEquals(resolution.outcome() == ForwardedFor.Outcome.FOUND, resolution.client() != null);
        }
    }
}
