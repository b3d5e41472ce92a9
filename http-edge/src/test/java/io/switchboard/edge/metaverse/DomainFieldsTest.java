package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Iamus' field validators (spec §2.2): wrong values are skipped, right ones stored. */
class DomainFieldsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DomainRecord apply(final DomainRecord record, final String domainJson) throws Exception
    {
        DomainFields.applyHeartbeat(JSON.readTree(domainJson), record, 42);
        return record;
    }

    @Test
    void tagsTakeAStringAnArrayOrASetAddRemoveManipulator() throws Exception
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        assertEquals(List.of("solo"), apply(record, "{\"tags\":\"solo\"}").tags);
        assertEquals(List.of("a", "b"), apply(record, "{\"tags\":[\"a\",\"b\"]}").tags);
        assertEquals(List.of("b", "c"), apply(record, "{\"tags\":{\"add\":[\"c\"],\"remove\":\"a\"}}").tags);
        assertEquals(List.of("x"), apply(record, "{\"tags\":{\"set\":[\"x\"]}}").tags);
        assertEquals(List.of("x"), apply(record, "{\"tags\":[\"ok\",7]}").tags, "a non-string item skips the value");
        assertEquals(List.of("x"), apply(record, "{\"tags\":[" + "\"t\",".repeat(16) + "\"t\"]}").tags);
    }

    @Test
    void descriptionIsNeverOverwrittenWithAnEmptyValueAndNamesAreValidated() throws Exception
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        record.name = "amber-lion";
        apply(record, "{\"description\":\"first\",\"meta\":{\"world_name\":\"Good_Name.1\"}}");
        apply(record, "{\"description\":\"\",\"meta\":{\"world_name\":\"1bad\"}}");
        assertEquals("first", record.description);
        assertEquals("Good_Name.1", record.name);
        assertEquals(42, record.lastHeartbeatMs);
    }

    @Test
    void portsAreIntegersOrNumericStringsInRange() throws Exception
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        assertEquals(40102, apply(record, "{\"network_port\":40102}").networkPort);
        assertEquals(40103, apply(record, "{\"network_port\":\" 40103 \"}").networkPort);
        assertEquals(40103, apply(record, "{\"network_port\":70000}").networkPort);
        assertEquals(40103, apply(record, "{\"network_port\":1.5}").networkPort);
        assertEquals(40103, apply(record, "{\"network_port\":\"port\"}").networkPort);
    }

    @Test
    void namesFollowIamusRule()
    {
        assertTrue(DomainFields.isName("AliceWorld"));
        assertTrue(DomainFields.isName("a+b-c_d.e9"));
        assertFalse(DomainFields.isName("9lives"));
        assertFalse(DomainFields.isName("has space"));
        assertFalse(DomainFields.isName("a".repeat(33)));
        assertFalse(DomainFields.isName(""));
    }
}
