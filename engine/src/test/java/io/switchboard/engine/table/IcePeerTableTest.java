package io.switchboard.engine.table;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IcePeerTableTest
{
    private static final long FINGERPRINT = 0x1234_5678_9abc_def0L;

    private final IcePeerTable table = new IcePeerTable(1_000);
    private final UuidKey domain = new UuidKey(11, 22);

    @AfterEach
    void close()
    {
        table.close();
    }

    private static UnsafeBuffer bytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return new UnsafeBuffer(bytes);
    }

    private IcePeerRecord stored(final boolean ipv6, final UnsafeBuffer heartbeat)
    {
        final IcePeerRecord record = new IcePeerRecord()
            .lastHeardMs(1_000)
            .expiryTimerId(77)
            .sockets(bytes(14, 3), 0, 14)
            .verifiedHeartbeat(heartbeat, 0, heartbeat.capacity());
        if (ipv6)
        {
            record.active((byte)6, new byte[] {32, 1, 13, (byte)184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 40_000,
                FINGERPRINT);
        }
        else
        {
            record.activeIpv4(0x7f000001, 40_000, FINGERPRINT);
        }
        table.put(domain, record);
        return record;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anIdenticalHeartbeatFromTheActiveSocketOnlyMovesLastHeard(final boolean ipv6)
    {
        final UnsafeBuffer heartbeat = bytes(293, 1);
        stored(ipv6, heartbeat);

        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[300]);
        datagram.putBytes(4, heartbeat, 0, 293);
        assertTrue(table.touchIfSameHeartbeat(domain, datagram, 4, 293, FINGERPRINT, 5_000));

        final IcePeerRecord read = new IcePeerRecord();
        assertTrue(table.get(domain, read));
        assertEquals(5_000, read.lastHeardMs());
        assertEquals(77, read.expiryTimerId());
        assertEquals(FINGERPRINT, read.activeFingerprint());
        assertEquals(40_000, read.activePort());
        assertEquals(14, read.socketsLength());
        assertTrue(read.matchesVerifiedHeartbeat(heartbeat, 0, 293));
    }

    @Test
    void anythingElseLeavesTheRecordAlone()
    {
        final UnsafeBuffer heartbeat = bytes(293, 1);
        stored(false, heartbeat);

        final UnsafeBuffer changedLastByte = bytes(293, 1);
        changedLastByte.putByte(292, (byte)(changedLastByte.getByte(292) + 1));
        final UnsafeBuffer changedFirstByte = bytes(293, 1);
        changedFirstByte.putByte(0, (byte)(changedFirstByte.getByte(0) + 1));
        assertFalse(table.touchIfSameHeartbeat(domain, changedLastByte, 0, 293, FINGERPRINT, 5_000));
        assertFalse(table.touchIfSameHeartbeat(domain, changedFirstByte, 0, 293, FINGERPRINT, 5_000));
        assertFalse(table.touchIfSameHeartbeat(domain, heartbeat, 0, 292, FINGERPRINT, 5_000), "shorter");
        assertFalse(table.touchIfSameHeartbeat(domain, heartbeat, 0, 293, FINGERPRINT + 1, 5_000), "other socket");
        assertFalse(table.touchIfSameHeartbeat(new UuidKey(11, 23), heartbeat, 0, 293, FINGERPRINT, 5_000));

        final IcePeerRecord read = new IcePeerRecord();
        assertTrue(table.get(domain, read));
        assertEquals(1_000, read.lastHeardMs());
    }

    @Test
    void aRecordWithoutAVerifiedHeartbeatNeverMatches()
    {
        final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
        table.put(domain, new IcePeerRecord().activeIpv4(0x7f000001, 1, FINGERPRINT).verifiedHeartbeat(empty, 0, 0));
        assertFalse(table.touchIfSameHeartbeat(domain, empty, 0, 0, FINGERPRINT, 5_000));
    }
}
