package io.switchboard.engine.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** --bind-address: a list with one address per family; :: alone, or 0.0.0.0 where there is no IPv6. */
class BindAddressesTest
{
    @Test
    void aListIsReadInOrder() throws Exception
    {
        assertEquals(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")),
            BindAddresses.resolve("127.0.0.1, ::1"));
        assertEquals(List.of(InetAddress.getByName("0.0.0.0")), BindAddresses.resolve("0.0.0.0"));
    }

    @Test
    void theDefaultIsDualStackWhereIpv6IsThereElseIpv4Any() throws Exception
    {
        assertEquals(BindAddresses.DUAL_STACK, EngineContext.DEFAULT_BIND_ADDRESS);
        assertEquals(List.of(InetAddress.getByName(BindAddresses.ipv6Available() ? "::" : "0.0.0.0")),
            BindAddresses.resolve(BindAddresses.DUAL_STACK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1,127.0.0.2", "::1,::2", ":: ,127.0.0.1", "127.0.0.1,", "not an address!"})
    void aListTheListenersCannotBindIsRefusedAtStart(final String list)
    {
        assertThrows(IllegalArgumentException.class, () -> BindAddresses.resolve(list), list);
    }
}
