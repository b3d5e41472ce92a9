package io.switchboard.engine.table;

import org.agrona.collections.MutableInteger;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The persisted client table, its record's two encodings, and the slot index. */
class PulseClientTableTest
{
    @TempDir
    Path dir;

    @Test
    void clientsSurviveClosingAndReopeningTheFile() throws Exception
    {
        final UuidKey id = new UuidKey(0x0123_4567_89ab_cdefL, 0x7edc_ba98_7654_3210L);
        final PulseKey key = new PulseKey().set(1, 2, 3, 4);
        final PulseClientRecord record = new PulseClientRecord().registered(key, 1_000, 301_000);
        record.lastPulseMs(5_000).addressIpv4(0x0a00_0005, 40_000);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 1_000))
        {
            table.put(id, record);
            table.put(new UuidKey(9, 9), new PulseClientRecord().registered(new PulseKey().set(9, 9, 9, 9), 1, 2));
            assertTrue(table.remove(new UuidKey(9, 9)));
        }
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 1_000))
        {
            assertEquals(1, table.size());
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(id, read));
            assertEquals(key, read.key());
            assertEquals(PulseClientRecord.ONLINE, read.state());
            assertEquals(1_000, read.registeredMs());
            assertEquals(301_000, read.deadlineMs());
            assertEquals(5_000, read.lastPulseMs());
            assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 40_000), read.socketAddress());
            final List<UuidKey> visited = new ArrayList<>();
            table.forEach((client, stored) -> visited.add(client.copy()));
            assertEquals(List.of(id), visited);
        }
    }

    @Test
    void ipv6AddressesAndHighPortsRoundTrip() throws Exception
    {
        final InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("2001:db8::5"), 65_535);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 100))
        {
            table.put(new UuidKey(1, 1), new PulseClientRecord().registered(new PulseKey(), 1, 2).address(source));
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(new UuidKey(1, 1), read));
            assertEquals(PulseClientRecord.IPV6, read.family());
            assertEquals(source, read.socketAddress());
        }
    }

    @Test
    void openingWithAnotherCapacityCopiesTheClientsIntoAFileOfThatSize() throws Exception
    {
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 100))
        {
            for (int i = 0; i < 100; i++)
            {
                table.put(new UuidKey(i, i), new PulseClientRecord().registered(new PulseKey().set(i, i, i, i), i, i));
            }
        }
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 10_000))
        {
            assertEquals(100, table.size());
            for (int i = 100; i < 10_000; i++)
            {
                table.put(new UuidKey(i, i), new PulseClientRecord().registered(new PulseKey().set(i, i, i, i), i, i));
            }
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(new UuidKey(42, 42), read));
            assertEquals(new PulseKey().set(42, 42, 42, 42), read.key());
        }
        assertEquals(List.of("pulse-clients-10000.dat", "pulse-clients-10000.dat.count",
            "pulse-clients-10000.dat.intents"), files());
        assertThrows(IllegalStateException.class, () -> PulseClientTable.open(new TableFiles(dir), 5_000));
        assertEquals(List.of("pulse-clients-10000.dat", "pulse-clients-10000.dat.count",
            "pulse-clients-10000.dat.intents"), files(), "a refused resize leaves the table as it was");
    }

    @Test
    void aResizeCutShortByACrashIsRedoneFromTheOldFile() throws Exception
    {
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 100))
        {
            table.put(new UuidKey(1, 1), new PulseClientRecord().registered(new PulseKey().set(1, 1, 1, 1), 1, 1));
        }
        Files.write(dir.resolve("pulse-clients-200.dat.partial"), new byte[] {1, 2, 3});
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), 200))
        {
            assertEquals(1, table.size());
        }
        assertEquals(List.of("pulse-clients-200.dat", "pulse-clients-200.dat.count",
            "pulse-clients-200.dat.intents"), files());
    }

    private List<String> files() throws Exception
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theRecordReadsBackFromTheBufferEncodingAsWritten() throws Exception
    {
        final PulseClientRecord written = new PulseClientRecord().registered(new PulseKey().set(-1, 2, -3, 4), 10, 20)
            .lastPulseMs(15).address(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 54_321));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[PulseClientRecord.SIZE + 3]);
        assertEquals(PulseClientRecord.SIZE, written.put(buffer, 3));
        final PulseClientRecord read = new PulseClientRecord().get(buffer, 3);
        assertEquals(written.key(), read.key());
        assertEquals(10, read.registeredMs());
        assertEquals(20, read.deadlineMs());
        assertEquals(15, read.lastPulseMs());
        assertEquals(PulseClientRecord.ONLINE, read.state());
        assertEquals(written.socketAddress(), read.socketAddress());
    }

    @Test
    void aSlotIndexHoldsEachKeyOnce()
    {
        try (SlotIndex<PulseKey> index =
            new SlotIndex<>("keys", PulseKey.class, new PulseKey(), PulseKeyMarshaller.INSTANCE, 100))
        {
            final MutableInteger slot = new MutableInteger(7);
            assertTrue(index.insert(new PulseKey().set(1, 2, 3, 4), slot));
            slot.set(8);
            assertFalse(index.insert(new PulseKey().set(1, 2, 3, 4), slot));
            final MutableInteger read = new MutableInteger();
            assertTrue(index.get(new PulseKey().set(1, 2, 3, 4), read));
            assertEquals(7, read.get());
            assertTrue(index.remove(new PulseKey().set(1, 2, 3, 4)));
            assertFalse(index.get(new PulseKey().set(1, 2, 3, 4), read));
        }
    }
}
