package io.switchboard.benchmarks;

import io.switchboard.engine.ice.IceWireVectors;
import io.switchboard.engine.table.IcePeerRecord;
import io.switchboard.engine.table.IcePeerTable;
import io.switchboard.engine.table.UuidKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;


/** The off-heap ICE peer table: the read and the write a heartbeat makes, over many domains. */
public class IcePeerTableBenchmark extends EngineBenchmark
{
    @Param({"100000"})
    public int domains;

    private IcePeerTable table;
    private final UuidKey key = new UuidKey();
    private final IcePeerRecord record = new IcePeerRecord();
    private long next;

    @Setup(Level.Trial)
    public void setUp()
    {
        table = new IcePeerTable(domains);
        final UnsafeBuffer heartbeat = new UnsafeBuffer(IceWireVectors.HEARTBEAT);
        record.sockets(new UnsafeBuffer(IceWireVectors.DOMAIN_SOCKETS), 0, 14)
            .verifiedHeartbeat(heartbeat, 4, heartbeat.capacity() - 4)
            .activeIpv4(0x7F000001, 40102, 0x7F000001L << 16 | 40102);
        for (int i = 0; i < domains; i++)
        {
            table.put(key.set(0x5b0a_7d00_0000_4000L, i), record.lastHeardMs(i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        table.close();
    }

    @Benchmark
    public boolean getThenPut()
    {
        key.set(0x5b0a_7d00_0000_4000L, next++ % domains);
        if (!table.get(key, record))
        {
            return false;
        }
        table.put(key, record.lastHeardMs(next));
        return true;
    }

    @Benchmark
    public boolean get()
    {
        return table.get(key.set(0x5b0a_7d00_0000_4000L, next++ % domains), record);
    }
}
