package io.switchboard.benchmarks;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.pulse.PulseContext;
import io.switchboard.engine.pulse.PulseServer;
import io.switchboard.engine.table.PulseKey;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The handler thread's whole per-pulse work: decode, key index and client table reads, the client's update
 * (address, last pulse, deadline) in the persisted table, and the 4-byte reply's send over a real loopback socket.
 * Pulses cycle through many registered clients so table reads miss the CPU caches as real traffic does. The clients
 * register one a millisecond, as a real population arrives over time, so their deadlines spread over the timer wheel;
 * the clock then stands still. {@code -prof gc} shows the allocation per pulse.
 */
public class PulseHandlerBenchmark extends EngineBenchmark
{
    private static final int PULSING = 4_096;

    @Param("100000")
    public int clients;

    private Path directory;
    private PulseServer server;
    private DatagramChannel channel;
    private DatagramChannel sink;
    private InetSocketAddress source;
    private long sourceFingerprint;
    private UnsafeBuffer[] rawPulses;
    private UnsafeBuffer[] hexPulses;
    private UnsafeBuffer unknownPulse;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        directory = Files.createTempDirectory("pulse-benchmark");
        sink = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        final Metrics metrics = new Metrics();
        final DatagramSender sender = new DatagramSender(channel, 2048,
            metrics.counter("sent", "", "sent"), metrics.counter("failed", "", "failed"));
        final CachedEpochClock time = new CachedEpochClock();
        time.update(System.currentTimeMillis());
        final EngineClock clock = new EngineClock(time);
        server = new PulseServer(
            new PulseContext().port(0).maxClients(clients).tableFiles(new TableFiles(directory)),
            metrics, sender, clock, new EngineTimers(clock.nowMs()), new CommandReplies(),
            new Liveness(metrics).register("persister"));
        source = (InetSocketAddress)sink.getLocalAddress();
        sourceFingerprint = SocketAddresses.fingerprint(source);

        final Random random = new Random(42);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[PulseRegisterCommand.LENGTH]);
        final byte[] key = new byte[PulseKey.LENGTH];
        final PulseKey probe = new PulseKey();
        rawPulses = new UnsafeBuffer[PULSING];
        hexPulses = new UnsafeBuffer[PULSING];
        for (int i = 0; i < clients; i++)
        {
            random.nextBytes(key);
            probe.wrapRaw(new UnsafeBuffer(key), 0);
            PulseRegisterCommand.put(command, 0, i, random.nextLong(), random.nextLong() | 1, probe);
            server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
            time.advance(1);
            clock.update();
            if (i % (clients / PULSING) == 0 && i / (clients / PULSING) < PULSING)
            {
                rawPulses[i / (clients / PULSING)] = direct(key);
                hexPulses[i / (clients / PULSING)] =
                    direct(HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII));
            }
        }
        random.nextBytes(key);
        unknownPulse = direct(key);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        server.close();
        channel.close();
        sink.close();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    private void onDatagram(final UnsafeBuffer datagram)
    {
        server.onDatagram(datagram, datagram.capacity(), source, sourceFingerprint);
    }

    @Benchmark
    public void pulseRaw()
    {
        onDatagram(rawPulses[next++ & (PULSING - 1)]);
    }

    @Benchmark
    public void pulseHex()
    {
        onDatagram(hexPulses[next++ & (PULSING - 1)]);
    }

    @Benchmark
    public void pulseUnknownKey()
    {
        onDatagram(unknownPulse);
    }
}
