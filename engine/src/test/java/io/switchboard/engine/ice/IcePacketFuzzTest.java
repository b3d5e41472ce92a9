package io.switchboard.engine.ice;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.engine.wire.QtWireReference;
import io.switchboard.engine.wire.Uuids;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each ICE packet decoder over any datagram: it accepts exactly the datagrams the wire grammar (ice-wire.md, with
 * {@link QtWireReference} for the sockets) allows, never reads outside the datagram, and what it accepts its
 * encoder writes back byte for byte.
 */
class IcePacketFuzzTest
{
    /** The datagram sits at an offset, as in the ring's slot. */
    private static final int AT = 7;
    /** Where the sockets of every packet but the ping start: after the header and a UUID. */
    private static final int SOCKETS = IceHeader.LENGTH + Uuids.LENGTH;

    private final UnsafeBuffer out = new UnsafeBuffer(new byte[AT + 70_000]);

    /** A buffer that ends where the datagram ends: a read past it throws. */
    private static UnsafeBuffer slot(final byte[] datagram)
    {
        final byte[] slot = new byte[AT + datagram.length];
        System.arraycopy(datagram, 0, slot, AT, datagram.length);
        return new UnsafeBuffer(slot);
    }

    /** Length of the public socket after the header and a UUID, or -1. */
    private static int publicLength(final byte[] datagram)
    {
        return datagram.length < SOCKETS ? -1 : QtWireReference.socketLength(datagram, SOCKETS, datagram.length);
    }

    /** Length of the local socket after the public one, or -1. */
    private static int localLength(final byte[] datagram, final int publicLength)
    {
        return publicLength < 0 ? -1 : QtWireReference.socketLength(datagram, SOCKETS + publicLength, datagram.length);
    }

    @FuzzTest
    void header(final byte[] datagram)
    {
        if (datagram.length < IceHeader.LENGTH)
        {
            return;
        }
        final IceHeader header = new IceHeader().wrap(slot(datagram), AT);
        final int word = ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(word, header.word());
        assertEquals(word & 0x07FF_FFFF, header.sequenceNumber());
        assertEquals(word >>> 27 == 0, header.isPlainDataPacket());
        assertEquals(datagram[4], header.type());
        assertEquals(datagram[5], header.version());
        assertNotNull(IcePacketType.nameOf(header.type()));
        assertHeaderRoundTrips(datagram, header);
    }

    @FuzzTest
    void heartbeat(final byte[] datagram)
    {
        final UnsafeBuffer in = slot(datagram);
        final IceServerHeartbeat heartbeat = new IceServerHeartbeat();
        final boolean accepted = heartbeat.wrap(in, AT, datagram.length);

        final int publicLength = publicLength(datagram);
        final int localLength = localLength(datagram, publicLength);
        final int signatureAt = SOCKETS + publicLength + localLength + 4;
        final boolean prefixed = localLength >= 0 && signatureAt <= datagram.length;
        final int declared = prefixed ? ByteBuffer.wrap(datagram, signatureAt - 4, 4).getInt() : 0;
        final boolean nullSignature = prefixed && declared == -1;
        assertEquals(prefixed && (nullSignature ? signatureAt == datagram.length :
            declared >= 0 && (long)signatureAt + declared == datagram.length), accepted);
        if (!accepted)
        {
            return;
        }
        assertEquals(AT + SOCKETS, heartbeat.publicSocketOffset());
        assertEquals(publicLength, heartbeat.publicSocketLength());
        assertEquals(AT + SOCKETS + publicLength, heartbeat.localSocketOffset());
        assertEquals(localLength, heartbeat.localSocketLength());
        assertEquals(AT + IceHeader.LENGTH, heartbeat.plaintextOffset());
        assertEquals(signatureAt - 4 - IceHeader.LENGTH, heartbeat.plaintextLength());
        assertEquals(AT + signatureAt, heartbeat.signatureOffset());
        assertEquals(AT + datagram.length, heartbeat.signatureOffset() + heartbeat.signatureLength());

        final int plaintextLength = IceServerHeartbeat.putPlaintext(out, AT, 1,
            heartbeat.domainIdMsb(), heartbeat.domainIdLsb(),
            in, heartbeat.publicSocketOffset(), heartbeat.publicSocketLength(),
            in, heartbeat.localSocketOffset(), heartbeat.localSocketLength());
        assertEquals(heartbeat.plaintextLength(), plaintextLength);
        final byte[] signature = nullSignature ? null :
            Arrays.copyOfRange(datagram, signatureAt, signatureAt + heartbeat.signatureLength());
        assertEquals(datagram.length, IceServerHeartbeat.putSignature(out, AT, plaintextLength, signature));
        assertPayloadRoundTrips(datagram);
    }

    @FuzzTest
    void query(final byte[] datagram)
    {
        final UnsafeBuffer in = slot(datagram);
        final IceServerQuery query = new IceServerQuery();
        final boolean accepted = query.wrap(in, AT, datagram.length);

        final int publicLength = publicLength(datagram);
        final int localLength = localLength(datagram, publicLength);
        assertEquals(localLength >= 0 && SOCKETS + publicLength + localLength + Uuids.LENGTH == datagram.length, accepted);
        if (!accepted)
        {
            return;
        }
        assertEquals(AT + IceHeader.LENGTH, query.clientPeerOffset());
        assertEquals(Uuids.LENGTH + publicLength + localLength, query.clientPeerLength());
        final int length = IceServerQuery.put(out, AT, 1, query.clientIdMsb(), query.clientIdLsb(),
            in, AT + SOCKETS, publicLength + localLength, query.domainIdMsb(), query.domainIdLsb());
        assertEquals(datagram.length, length);
        assertPayloadRoundTrips(datagram);
    }

    @FuzzTest
    void peerInformation(final byte[] datagram)
    {
        final UnsafeBuffer in = slot(datagram);
        final IceServerPeerInformation information = new IceServerPeerInformation();
        final boolean accepted = information.wrap(in, AT, datagram.length);

        final int publicLength = publicLength(datagram);
        final int localLength = localLength(datagram, publicLength);
        assertEquals(localLength >= 0 && SOCKETS + publicLength + localLength == datagram.length, accepted);
        if (!accepted)
        {
            return;
        }
        assertEquals(AT + SOCKETS, information.publicSocketOffset());
        assertEquals(publicLength, information.publicSocketLength());
        assertEquals(AT + SOCKETS + publicLength, information.localSocketOffset());
        assertEquals(localLength, information.localSocketLength());
        assertEquals(datagram.length, IceServerPeerInformation.put(out, AT, 1, information.peerIdMsb(),
            information.peerIdLsb(), in, information.publicSocketOffset(), publicLength + localLength));
        assertPayloadRoundTrips(datagram);
        assertEquals(datagram.length, IceServerPeerInformation.put(out, AT, 1, in, AT + IceHeader.LENGTH,
            datagram.length - IceHeader.LENGTH));
        assertPayloadRoundTrips(datagram);
    }

    @FuzzTest
    void ping(final byte[] datagram)
    {
        final IcePing ping = new IcePing();
        final boolean accepted = ping.wrap(slot(datagram), AT, datagram.length);
        assertEquals(datagram.length == IcePing.LENGTH && (datagram[IcePing.LENGTH - 1] & 0xFF) <= 3, accepted);
        if (!accepted)
        {
            return;
        }
        for (final byte type : new byte[] {IcePacketType.PING, IcePacketType.PING_REPLY})
        {
            assertEquals(datagram.length, IcePing.put(out, AT, 1, type, ping.senderIdMsb(), ping.senderIdLsb(),
                ping.pingType()));
            assertPayloadRoundTrips(datagram);
        }
    }

    /** What the encoder wrote after its header is the datagram's payload. */
    private void assertPayloadRoundTrips(final byte[] datagram)
    {
        final byte[] written = new byte[datagram.length - IceHeader.LENGTH];
        out.getBytes(AT + IceHeader.LENGTH, written);
        assertArrayEquals(Arrays.copyOfRange(datagram, IceHeader.LENGTH, datagram.length), written);
    }

    /** A plain header with its type's version is what {@link IceHeader#put} writes for that sequence and type. */
    private void assertHeaderRoundTrips(final byte[] datagram, final IceHeader header)
    {
        if (header.isPlainDataPacket() && header.version() == IcePacketType.versionOf(header.type()))
        {
            assertEquals(IceHeader.LENGTH, IceHeader.put(out, AT, header.sequenceNumber(), header.type()));
            final byte[] written = new byte[IceHeader.LENGTH];
            out.getBytes(AT, written);
            assertArrayEquals(Arrays.copyOf(datagram, IceHeader.LENGTH), written);
        }
    }
}
