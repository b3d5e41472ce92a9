package io.switchboard.benchmarks;

import io.switchboard.engine.config.Choices;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.ice.IceServer;
import io.switchboard.engine.ice.IceWireVectors;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.wire.SocketAddresses;
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

/**
 * The handler thread's whole per-datagram work for ICE: decode, peer-table read and update, verification (cached
 * or full RSA) and the reply's encode and send. Replies go over a real loopback socket to a sink nobody reads, so
 * the send's system call is in the figure. {@code -prof gc} shows the allocation per datagram. The two alternating
 * heartbeats of the full verification are one domain's, as a flood of forged heartbeats for one domain would be.
 */
public class IceHandlerBenchmark extends EngineBenchmark
{
    /** {@code -p verifyProvider=native,jdk} compares the RSA providers on the full verification. */
    @Param("auto")
    public String verifyProvider;

    private IceServer server;
    private DatagramChannel channel;
    private DatagramChannel sink;
    private InetSocketAddress source;
    private long sourceFingerprint;
    private UnsafeBuffer[] cachedHeartbeats;
    private UnsafeBuffer[] alternatingHeartbeats;
    private UnsafeBuffer query;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final IceContext context = new IceContext()
            .addDomainKey(IceWireVectors.DOMAIN_ID + ":" + IceWireVectors.PUBLIC_KEY_SPKI_BASE64)
            .iceQueryRate(1_000_000).iceQueryBurst(1_000_000)
            .iceVerifyRate(1_000_000).iceVerifyBurst(1_000_000).icePeerInfoRate(1_000_000)
            .iceVerifyProvider(Choices.parse(IceContext.VerifyProvider.class, "verifyProvider", verifyProvider))
            .conclude();
        sink = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        final Metrics metrics = new Metrics();
        final DatagramSender sender = new DatagramSender(channel, 2048,
            metrics.counter("sent", "", "sent"), metrics.counter("failed", "", "failed"));
        server = new IceServer(context, metrics, sender, new EngineClock(), null, null);
        source = (InetSocketAddress)sink.getLocalAddress();
        sourceFingerprint = SocketAddresses.fingerprint(source);

        cachedHeartbeats = new UnsafeBuffer[] {direct(IceWireVectors.HEARTBEAT)};
        // Two distinct signed heartbeats (the second claims another port), alternating, so each needs RSA.
        final byte[] moved = IceWireVectors.HEARTBEAT.clone();
        moved[25] = 0x07;
        final java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
        signer.initSign(IceWireVectors.privateKey());
        signer.update(moved, 6, 30);
        System.arraycopy(signer.sign(), 0, moved, 40, 256);
        alternatingHeartbeats = new UnsafeBuffer[] {direct(IceWireVectors.HEARTBEAT), direct(moved)};
        query = direct(IceWireVectors.QUERY);
        onDatagram(cachedHeartbeats[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        server.close();
        channel.close();
        sink.close();
    }

    private void onDatagram(final UnsafeBuffer datagram)
    {
        server.onDatagram(datagram, datagram.capacity(), source, sourceFingerprint);
    }

    @Benchmark
    public void heartbeatCached()
    {
        onDatagram(cachedHeartbeats[0]);
    }

    @Benchmark
    public void heartbeatFullVerification()
    {
        onDatagram(alternatingHeartbeats[next++ & 1]);
    }

    @Benchmark
    public void query()
    {
        onDatagram(query);
    }
}
