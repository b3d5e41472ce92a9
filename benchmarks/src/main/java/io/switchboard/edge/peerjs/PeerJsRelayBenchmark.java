package io.switchboard.edge.peerjs;

import io.switchboard.benchmarks.EngineBenchmark;
import org.openjdk.jmh.annotations.Benchmark;

import java.nio.charset.StandardCharsets;

/**
 * The PeerJS relay rewrite as the realm does it for each client frame (in this package because the codec is
 * package-private): read the frame's type, dst and payload span, then write the relayed frame with the server's
 * src. The frame is the shape the peerjs client sends for an OFFER. {@code -prof gc} shows the allocation per frame;
 * {@link #parseWithJackson} is the tree-less Jackson parse the reader leaves odd frames to, for comparison.
 */
public class PeerJsRelayBenchmark extends EngineBenchmark
{
    private static final byte[] OFFER = ("{\"type\":\"OFFER\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":" +
        "\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n\"},\"type\":\"data\"," +
        "\"connectionId\":\"dc_q1w2e3r4t5\",\"label\":\"dc_q1w2e3r4t5\",\"reliable\":true," +
        "\"serialization\":\"binary\"}," +
        "\"dst\":\"peer-b\"}").getBytes(StandardCharsets.UTF_8);

    private final SignalFrame codec = new SignalFrame(PeerJsContext.DEFAULT_MAX_FRAME_BYTES);
    private final SignalFrameReader reader = new SignalFrameReader(codec);
    private final byte[] srcQuoted = SignalFrame.quoted("peer-a");

    /** What the realm does per relayed frame: read, then write the relayed frame. */
    @Benchmark
    public int relay()
    {
        reader.read(OFFER, OFFER.length);
        return reader.relay(srcQuoted, OFFER);
    }

    @Benchmark
    public SignalFrame.Kind read()
    {
        return reader.read(OFFER, OFFER.length);
    }

    @Benchmark
    public SignalFrame.Parsed parseWithJackson()
    {
        return codec.parse(OFFER, OFFER.length);
    }
}
