package io.switchboard.engine.ice;

import io.switchboard.engine.wire.QtSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

class IceCodecTest
{
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);

    private byte[] written(final int length)
    {
        return Arrays.copyOf(out.byteArray(), length);
    }

    @Test
    void heartbeatOfSection62DecodesIntoItsFields()
    {
        final IceServerHeartbeat heartbeat = new IceServerHeartbeat();
        final UnsafeBuffer in = new UnsafeBuffer(HEARTBEAT);
        assertEquals(296, HEARTBEAT.length);
        assertTrue(heartbeat.wrap(in, 0, HEARTBEAT.length));
        final IceHeader header = new IceHeader().wrap(in, 0);
        assertEquals(1, header.sequenceNumber());
        assertTrue(header.isPlainDataPacket());
        assertEquals(IcePacketType.SERVER_HEARTBEAT, header.type());
        assertEquals(IcePacketType.VERSION_18, header.version());
        assertEquals(DOMAIN_ID.getMostSignificantBits(), heartbeat.domainIdMsb());
        assertEquals(DOMAIN_ID.getLeastSignificantBits(), heartbeat.domainIdLsb());
        assertEquals("203.0.113.5:40102", QtSocketAddress.toString(in, heartbeat.publicSocketOffset(), 296));
        assertEquals("192.168.1.10:40102", QtSocketAddress.toString(in, heartbeat.localSocketOffset(), 296));
        assertEquals(6, heartbeat.plaintextOffset());
        assertEquals(30, heartbeat.plaintextLength());
        assertArrayEquals(PLAINTEXT, Arrays.copyOfRange(HEARTBEAT, 6, 36));
        assertEquals(40, heartbeat.signatureOffset());
        assertEquals(256, heartbeat.signatureLength());
    }

    @Test
    void heartbeatSignatureOfSection62VerifiesWithSha256WithRsa() throws Exception
    {
        final Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey());
        verifier.update(PLAINTEXT);
        assertTrue(verifier.verify(Arrays.copyOfRange(HEARTBEAT, 40, 296)));
    }

    @Test
    void heartbeatEncodedAndSignedIsByteIdenticalToSection62() throws Exception
    {
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        final int plaintextLength = IceServerHeartbeat.putPlaintext(out, 0, 1,
            DOMAIN_ID.getMostSignificantBits(), DOMAIN_ID.getLeastSignificantBits(),
            sockets, 0, QtSocketAddress.IPV4_LENGTH, sockets, QtSocketAddress.IPV4_LENGTH, QtSocketAddress.IPV4_LENGTH);
        assertEquals(30, plaintextLength);
        final Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(privateKey());
        signer.update(out.byteArray(), IceServerHeartbeat.DOMAIN_ID_OFFSET, plaintextLength);
        final int length = IceServerHeartbeat.putSignature(out, 0, plaintextLength, signer.sign());
        assertArrayEquals(HEARTBEAT, written(length));
    }

    @Test
    void ackAndDeniedOfSection63AreSixBytes()
    {
        assertArrayEquals(ACK_SEQ_1, written(IceHeader.put(out, 0, 1, IcePacketType.SERVER_HEARTBEAT_ACK)));
        assertArrayEquals(DENIED_SEQ_1, written(IceHeader.put(out, 0, 1, IcePacketType.SERVER_HEARTBEAT_DENIED)));
    }

    @Test
    void queryOfSection64RoundTrips()
    {
        final IceServerQuery query = new IceServerQuery();
        final UnsafeBuffer in = new UnsafeBuffer(QUERY);
        assertTrue(query.wrap(in, 0, QUERY.length));
        assertEquals(CLIENT_ID.getMostSignificantBits(), query.clientIdMsb());
        assertEquals(CLIENT_ID.getLeastSignificantBits(), query.clientIdLsb());
        assertEquals(DOMAIN_ID.getMostSignificantBits(), query.domainIdMsb());
        assertEquals(DOMAIN_ID.getLeastSignificantBits(), query.domainIdLsb());
        assertEquals(6, query.clientPeerOffset());
        assertEquals(30, query.clientPeerLength());

        final int length = IceServerQuery.put(out, 0, 1, CLIENT_ID.getMostSignificantBits(),
            CLIENT_ID.getLeastSignificantBits(), new UnsafeBuffer(CLIENT_SOCKETS), 0, CLIENT_SOCKETS.length,
            DOMAIN_ID.getMostSignificantBits(), DOMAIN_ID.getLeastSignificantBits());
        assertArrayEquals(QUERY, written(length));
    }

    @Test
    void peerInformationPairOfSection65()
    {
        int length = IceServerPeerInformation.put(out, 0, 1, DOMAIN_ID.getMostSignificantBits(),
            DOMAIN_ID.getLeastSignificantBits(), new UnsafeBuffer(DOMAIN_SOCKETS), 0, DOMAIN_SOCKETS.length);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, written(length));

        length = IceServerPeerInformation.put(out, 0, 2, new UnsafeBuffer(QUERY), 6, 30);
        assertArrayEquals(PEER_INFORMATION_TO_DOMAIN, written(length));

        final IceServerPeerInformation information = new IceServerPeerInformation();
        assertTrue(information.wrap(new UnsafeBuffer(PEER_INFORMATION_TO_CLIENT), 0, 36));
        assertEquals(DOMAIN_ID.getLeastSignificantBits(), information.peerIdLsb());
        assertEquals(7, information.publicSocketLength());
        assertEquals(7, information.localSocketLength());
        assertEquals(29, information.localSocketOffset());
    }

    @Test
    void pingsOfSection66()
    {
        int length = IcePing.put(out, 0, 1, IcePacketType.PING, CLIENT_ID.getMostSignificantBits(),
            CLIENT_ID.getLeastSignificantBits(), IcePing.PING_TYPE_LOCAL);
        assertArrayEquals(PING_LOCAL, written(length));
        length = IcePing.put(out, 0, 1, IcePacketType.PING_REPLY, DOMAIN_ID.getMostSignificantBits(),
            DOMAIN_ID.getLeastSignificantBits(), IcePing.PING_TYPE_LOCAL);
        assertArrayEquals(PING_REPLY_LOCAL, written(length));

        final IcePing ping = new IcePing();
        assertTrue(ping.wrap(new UnsafeBuffer(PING_LOCAL), 0, 23));
        assertEquals(IcePing.PING_TYPE_LOCAL, ping.pingType());
        assertEquals(CLIENT_ID.getMostSignificantBits(), ping.senderIdMsb());
        assertFalse(ping.wrap(new UnsafeBuffer(PING_LOCAL), 0, 22));
    }

    @Test
    void versionTableMatchesVersionForPacketType()
    {
        assertEquals(17, IcePacketType.versionOf(IcePacketType.PEER_INFORMATION));
        assertEquals(17, IcePacketType.versionOf(IcePacketType.SERVER_QUERY));
        assertEquals(18, IcePacketType.versionOf(IcePacketType.SERVER_HEARTBEAT));
        assertEquals(18, IcePacketType.versionOf(IcePacketType.PING));
        assertEquals(17, IcePacketType.versionOf(IcePacketType.PING_REPLY));
        assertEquals(17, IcePacketType.versionOf(IcePacketType.SERVER_HEARTBEAT_DENIED));
        assertEquals(17, IcePacketType.versionOf(IcePacketType.SERVER_HEARTBEAT_ACK));
        assertEquals(22, IcePacketType.versionOf((byte)2));
    }

    @Test
    void sequenceWordIsLittleEndianAndFlagsAreRecognised()
    {
        final UnsafeBuffer in = new UnsafeBuffer(HexFormat.of().parseHex("030000000218"));
        final IceHeader header = new IceHeader().wrap(in, 0);
        assertEquals(3, header.sequenceNumber());
        assertEquals(2, header.type());
        assertEquals(24, header.version());
        in.putByte(3, (byte)0x80);
        assertFalse(header.isPlainDataPacket());
        in.putByte(3, (byte)0x08);
        assertFalse(header.isPlainDataPacket(), "obfuscation level 1");
        in.putByte(3, (byte)0x07);
        assertTrue(header.isPlainDataPacket());
        assertEquals(0x07000003, header.sequenceNumber());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 6, 21, 22, 28, 29, 35, 36, 39, 295, 297})
    void heartbeatTruncatedOrPaddedIsMalformed(final int length)
    {
        final byte[] bytes = Arrays.copyOf(HEARTBEAT, length);
        assertFalse(new IceServerHeartbeat().wrap(new UnsafeBuffer(bytes), 0, length));
    }

    @Test
    void heartbeatWithNullSignatureIsWellFormedButUnsigned()
    {
        final byte[] bytes = Arrays.copyOf(HEARTBEAT, 40);
        Arrays.fill(bytes, 36, 40, (byte)0xFF);
        final IceServerHeartbeat heartbeat = new IceServerHeartbeat();
        assertTrue(heartbeat.wrap(new UnsafeBuffer(bytes), 0, 40));
        assertEquals(0, heartbeat.signatureLength());
    }

    @Test
    void heartbeatWithNegativeSignatureLengthIsMalformed()
    {
        final byte[] bytes = HEARTBEAT.clone();
        bytes[36] = (byte)0x80;
        assertFalse(new IceServerHeartbeat().wrap(new UnsafeBuffer(bytes), 0, bytes.length));
    }
}
