package io.switchboard.protocol.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The client named by Forwarded and X-Forwarded-For: the rightmost untrusted hop, and what stops the walk. */
class ForwardedForTest
{
    private static final TrustedProxies TRUSTED = TrustedProxies.parse("10.0.0.0/8, 2001:db8:ffff::/48");

    private static ForwardedFor.Resolution forwarded(final String... lines)
    {
        return ForwardedFor.resolve(List.of(lines), null, TRUSTED);
    }

    private static ForwardedFor.Resolution xff(final String... lines)
    {
        return ForwardedFor.resolve(null, List.of(lines), TRUSTED);
    }

    private static void assertClient(final String host, final int port, final ForwardedFor.Resolution resolution)
    {
        assertEquals(ForwardedFor.Outcome.FOUND, resolution.outcome());
        assertEquals(new InetSocketAddress(host, port), resolution.client());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "203.0.113.9                                   | 203.0.113.9",
        "198.51.100.1, 203.0.113.9                     | 203.0.113.9",
        "198.51.100.1, 203.0.113.9, 10.0.0.2           | 203.0.113.9",
        "198.51.100.1,203.0.113.9,10.0.0.2,10.9.9.9    | 203.0.113.9",
        "10.0.0.3, 10.0.0.2                            | 10.0.0.3",
        "2001:db8::5, 2001:db8:ffff::1                 | 2001:db8::5",
        "[2001:db8::5]:4711                            | 2001:db8::5",
        "203.0.113.9:8080                              | 203.0.113.9"
    })
    void xForwardedForNamesTheRightmostUntrustedHop(final String header, final String client)
    {
        assertEquals(new InetSocketAddress(client, 0).getAddress(), xff(header).client().getAddress());
    }

    @Test
    void linesOfOneHeaderAreOneList()
    {
        assertClient("203.0.113.9", 0, xff("198.51.100.1, 203.0.113.9", "10.0.0.2"));
    }

    @Test
    void forwardedForNamesTheRightmostUntrustedHopWithItsPort()
    {
        assertClient("2001:db8:cafe::17", 4711,
            forwarded("for=192.0.2.43;proto=https, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1, for=10.0.0.9"));
        assertClient("192.0.2.60", 0, forwarded("For=192.0.2.60;proto=http;by=203.0.113.43"));
        assertClient("192.0.2.60", 0, forwarded("for=\"192.0.2.60\""));
    }

    @Test
    void forwardedWinsOverXForwardedFor()
    {
        assertClient("192.0.2.60", 0, ForwardedFor.resolve(List.of("for=192.0.2.60"), List.of("203.0.113.9"), TRUSTED));
    }

    @Test
    void anUnknownOrObfuscatedNearestHopLeavesThePeer()
    {
        assertEquals(ForwardedFor.Outcome.UNKNOWN, forwarded("for=192.0.2.60, for=unknown").outcome());
        assertEquals(ForwardedFor.Outcome.UNKNOWN, forwarded("for=192.0.2.60, for=_hidden").outcome());
        assertEquals(ForwardedFor.Outcome.UNKNOWN, forwarded("for=192.0.2.60, by=10.0.0.1").outcome());
        assertEquals(ForwardedFor.Outcome.UNKNOWN, xff("192.0.2.60, unknown").outcome());
    }

    @Test
    void anUnknownHopBehindATrustedOneMakesThatProxyTheClient()
    {
        assertClient("10.0.0.5", 0, forwarded("for=192.0.2.60, for=_x.y-z:_p, for=10.0.0.5"));
        assertClient("10.0.0.5", 0, xff("192.0.2.60, unknown, 10.0.0.5"));
    }

    @Test
    void noHeaderOrAnEmptyOneIsAbsent()
    {
        assertEquals(ForwardedFor.Outcome.ABSENT, ForwardedFor.resolve(null, null, TRUSTED).outcome());
        assertEquals(ForwardedFor.Outcome.ABSENT, xff(" ").outcome());
        assertEquals(ForwardedFor.Outcome.ABSENT, xff(" , ").outcome());
    }

    @ParameterizedTest
    @ValueSource(strings = {"for", "for=", "for=\"192.0.2.60", "for=192.0.2.60 x", "=1.2.3.4", "for=2001:db8::1",
        "for=192.0.2.60;for=192.0.2.61", "for=example.com", "for=\"[2001:db8::1]:99999\"", "for=_", "for=[1.2.3.4]",
        "for=\"[2001:db8::1\"", "for=192.0.2.60:x"})
    void aForwardedHeaderThatDoesNotParseIsMalformed(final String header)
    {
        assertEquals(ForwardedFor.Outcome.MALFORMED, forwarded(header).outcome(), header);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "192.0.2.60;x", "1.2.3.4:70000", "[1.2.3.4]", "203.0.113.9 10.0.0.1",
        "01.2.3.4"})
    void anXForwardedForThatDoesNotParseIsMalformed(final String header)
    {
        assertEquals(ForwardedFor.Outcome.MALFORMED, xff(header).outcome(), header);
    }
}
