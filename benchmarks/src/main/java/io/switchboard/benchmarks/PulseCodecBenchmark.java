package io.switchboard.benchmarks;

import io.switchboard.engine.pulse.PulseReply;
import io.switchboard.engine.pulse.PulseRequest;
import io.switchboard.engine.table.PulseKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Decode of both pulse forms and encode of the reply; run with {@code -prof gc} to see 0 B/op. */
public class PulseCodecBenchmark extends EngineBenchmark
{
    private static final String KEY_HEX = "00112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100";

    private final UnsafeBuffer raw = new UnsafeBuffer(ByteBuffer.allocateDirect(PulseKey.LENGTH));
    private final UnsafeBuffer hex = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_HEX.length() + 2));
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(PulseReply.LENGTH));
    private final PulseKey key = new PulseKey();
    private int code;

    public PulseCodecBenchmark()
    {
        hex.putBytes(0, (KEY_HEX + "\r\n").getBytes(StandardCharsets.US_ASCII));
        raw.setMemory(0, PulseKey.LENGTH, (byte)0x5a);
    }

    @Benchmark
    public long decodeRaw()
    {
        return PulseRequest.decode(raw, 0, raw.capacity(), key) + key.k3();
    }

    @Benchmark
    public long decodeHex()
    {
        return PulseRequest.decode(hex, 0, hex.capacity(), key) + key.k3();
    }

    @Benchmark
    public int encodeReply()
    {
        return PulseReply.put(out, 0, PulseReply.ON_TIME + (code++ & 1) * 30);
    }
}
