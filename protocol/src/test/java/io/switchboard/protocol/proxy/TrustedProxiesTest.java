package io.switchboard.protocol.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --trusted-proxies: CIDR blocks of both families, bare addresses, and what is refused at start. */
class TrustedProxiesTest
{
    private static final TrustedProxies LIST =
        TrustedProxies.parse("10.0.0.0/8, 192.0.2.7 ,2001:db8:1::/48,::1, 172.16.5.9/20");

    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, true", "10.255.255.255, true", "11.0.0.1, false", "192.0.2.7, true", "192.0.2.8, false",
        "2001:db8:1:ffff::9, true", "2001:db8:2::1, false", "::1, true", "::2, false",
        "172.16.0.1, true", "172.16.15.255, true", "172.16.16.0, false", "::ffff:10.1.2.3, true",
        "::ffff:11.1.2.3, false"
    })
    void anAddressIsTrustedInsideABlock(final String address, final boolean trusted) throws Exception
    {
        assertEquals(trusted, LIST.contains(InetAddress.getByName(address)), address);
        final byte[] bytes = new byte[16];
        assertEquals(trusted, LIST.contains(bytes, IpLiteral.parse(address, bytes)), address + " as bytes");
    }

    @Test
    void slashZeroTrustsTheWholeFamilyOnly() throws Exception
    {
        final TrustedProxies all4 = TrustedProxies.parse("0.0.0.0/0");
        assertTrue(all4.contains(InetAddress.getByName("203.0.113.9")));
        assertFalse(all4.contains(InetAddress.getByName("2001:db8::9")));
    }

    @Test
    void emptyTrustsNobody() throws Exception
    {
        assertTrue(TrustedProxies.parse("").isEmpty());
        assertTrue(TrustedProxies.parse(null).isEmpty());
        assertFalse(TrustedProxies.NONE.contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(LIST.contains(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "proxy.example", "10.0.0.1,", "1.2.3"})
    void aBadEntryIsRefusedByName(final String list)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(list));
        assertTrue(ex.getMessage().contains("'"), ex.getMessage());
    }
}
