package io.switchboard.edge.peerjs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** WebSocket query parsing as URLSearchParams does it, with the reference's last-duplicate-wins. */
class WsQueryTest
{
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "id=abc|abc",
        "id=a+b|a b",
        "id=h%C3%A9llo%20w%26rld|héllo w&rld",
        "id=a&id=b|b",
        "id=100%|100%",
        "id=%zz%4|%zz%4",
        "id=%E2%82%AC|€",
        "id=a=b|a=b",
        "x=1&&id=q&y|q"})
    void idIsDecoded(final String query, final String id)
    {
        assertEquals(id, WsQuery.parse(query).id());
    }

    @Test
    void allThreeAndTheVersionTheClientAdds()
    {
        final WsQuery query = WsQuery.parse("key=peerjs&id=x&token=t0k&version=1.5.5");
        assertEquals("peerjs", query.key());
        assertEquals("x", query.id());
        assertEquals("t0k", query.token());
    }

    @Test
    void absentAndEmptyDiffer()
    {
        final WsQuery query = WsQuery.parse("key&id=");
        assertEquals("", query.key());
        assertEquals("", query.id());
        assertNull(query.token());
        assertNull(WsQuery.parse(null).id());
    }
}
