package io.switchboard.edge.websocket;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 6455 7.4: which close codes a peer may send (the rest are answered with 1002). */
class CloseCodeTest
{
    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void definedRegisteredAndPrivateCodesMayBeSent(final int code)
    {
        assertTrue(WebSocketConnection.isValidCloseCode(code));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void reservedLocalOnlyUnassignedAndOutOfRangeCodesMayNot(final int code)
    {
        assertFalse(WebSocketConnection.isValidCloseCode(code));
    }
}
