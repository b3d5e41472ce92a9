package io.switchboard.edge.peerjs;

import io.switchboard.benchmarks.EngineBenchmark;
import org.openjdk.jmh.annotations.Benchmark;

import java.nio.charset.StandardCharsets;

/**
 * The PeerJS relay rewrite as the realm does it for each client frame (in this package because the codec is
 * package-private): parse the frame's type, dst and payload span, then write the relayed frame with the server's
 * src. The frame is the shape the peerjs client sends for an OFFER. {@code -prof gc} shows the allocation per frame.
 */
public class PeerJsRelayBenchmark extends EngineBenchmark
{
    private static final byte[] OFFER = ("{\"type\":\"OFFER\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":" +
        "\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n\"},\"type\":\"data\"," +
        "\"connectionId\":\"dc_q1w2e3r4t5\",\"label\":\"dc_q1w2e3r4t5\",\"reliable\":true," +
        "\"serialization\":\"binary\"}," +
        "\"dst\":\"peer-b\"}").getBytes(StandardCharsets.UTF_8);

    private final SignalFrame codec = new SignalFrame(PeerJsContext.DEFAULT_MAX_FRAME_BYTES);
    private final byte[] srcQuoted = SignalFrame.quoted("peer-a");
    private final byte[] dstQuoted = SignalFrame.quoted("peer-b");
    private final SignalFrame.Parsed parsed = codec.parse(OFFER, OFFER.length);

    /** What the realm does per relayed frame: parse, quote dst, rewrite. */
    @Benchmark
    public int relay()
    {
        final SignalFrame.Parsed frame = codec.parse(OFFER, OFFER.length);
        return SignalFrame.relay(frame.type(), srcQuoted, SignalFrame.quoted(frame.dst()), OFFER,
            frame.payloadStart(), frame.payloadEnd()).length;
    }

    @Benchmark
    public SignalFrame.Parsed parse()
    {
        return codec.parse(OFFER, OFFER.length);
    }

    @Benchmark
    public int rewrite()
    {
        return SignalFrame.relay(parsed.type(), srcQuoted, dstQuoted, OFFER, parsed.payloadStart(),
            parsed.payloadEnd()).length;
    }
}
