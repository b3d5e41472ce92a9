package io.switchboard.protocol.proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Address literals read without DNS, checked against the JDK's reading of the same literal. */
class IpLiteralTest
{
    @ParameterizedTest
    @CsvSource({
        "192.0.2.10, 4", "0.0.0.0, 4", "255.255.255.255, 4",
        "::, 16", "::1, 16", "1::, 16", "2001:db8::1, 16", "2001:DB8:0:0:8:800:200C:417A, 16",
        "1:2:3:4:5:6:7::, 16", "::2:3:4:5:6:7:8, 16", "::ffff:192.0.2.1, 16", "64:ff9b::192.0.2.33, 16",
        "1:2:3:4:5:6:1.2.3.4, 16"
    })
    void aLiteralReadsAsTheJdkReadsIt(final String text, final int length) throws Exception
    {
        final byte[] out = new byte[16];
        assertEquals(length, IpLiteral.parse(text, out));
        assertEquals(InetAddress.getByName(text), IpLiteral.toInetAddress(out, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.", "a.b.c.d", "example.com",
        ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "::g", "1:", ":1",
        "fe80::1%eth0", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", " ::1"
    })
    void anythingElseIsInvalid(final String text)
    {
        assertEquals(IpLiteral.INVALID, IpLiteral.parse(text, new byte[16]), text);
    }
}
