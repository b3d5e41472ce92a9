package io.switchboard.benchmarks;

import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerHeartbeat;
import io.switchboard.engine.ice.IceServerPeerInformation;
import io.switchboard.engine.ice.IceServerQuery;
import io.switchboard.engine.ice.IceWireVectors;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;

import java.nio.ByteBuffer;

/** Decode and encode of each ICE packet the server handles; run with {@code -prof gc} to see 0 B/op. */
public class IceCodecBenchmark extends EngineBenchmark
{
    private final UnsafeBuffer heartbeatBuffer = direct(IceWireVectors.HEARTBEAT);
    private final UnsafeBuffer queryBuffer = direct(IceWireVectors.QUERY);
    private final UnsafeBuffer peerInformationBuffer = direct(IceWireVectors.PEER_INFORMATION_TO_CLIENT);
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final UnsafeBuffer sockets = direct(IceWireVectors.DOMAIN_SOCKETS);
    private final IceHeader header = new IceHeader();
    private final IceServerHeartbeat heartbeat = new IceServerHeartbeat();
    private final IceServerQuery query = new IceServerQuery();
    private final IceServerPeerInformation peerInformation = new IceServerPeerInformation();
    private int sequence;

    @Benchmark
    public long decodeHeartbeat()
    {
        header.wrap(heartbeatBuffer, 0);
        if (!heartbeat.wrap(heartbeatBuffer, 0, heartbeatBuffer.capacity()))
        {
            throw new IllegalStateException();
        }
        return header.type() + heartbeat.domainIdMsb() ^ heartbeat.domainIdLsb() + heartbeat.signatureLength();
    }

    @Benchmark
    public long decodeQuery()
    {
        if (!query.wrap(queryBuffer, 0, queryBuffer.capacity()))
        {
            throw new IllegalStateException();
        }
        return query.domainIdMsb() ^ query.domainIdLsb() + query.clientPeerLength();
    }

    @Benchmark
    public long decodePeerInformation()
    {
        if (!peerInformation.wrap(peerInformationBuffer, 0, peerInformationBuffer.capacity()))
        {
            throw new IllegalStateException();
        }
        return peerInformation.peerIdMsb() + peerInformation.localSocketLength();
    }

    @Benchmark
    public int encodePeerInformation()
    {
        return IceServerPeerInformation.put(out, 0, ++sequence, 0x0011223344556677L, 0x8899aabbccddeeffL,
            sockets, 0, sockets.capacity());
    }

    @Benchmark
    public int encodeAck()
    {
        return IceHeader.put(out, 0, ++sequence, IcePacketType.SERVER_HEARTBEAT_ACK);
    }

    @Benchmark
    public int encodeHeartbeatPlaintext()
    {
        return IceServerHeartbeat.putPlaintext(out, 0, ++sequence, 1L, 2L, sockets, 0, 7, sockets, 7, 7);
    }
}
