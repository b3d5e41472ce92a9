package io.switchboard.edge.metaverse;

import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IceServerHeartbeat;
import io.switchboard.engine.wire.QtSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A domain-server's RSA key pair as the domain-server makes and uses it: uploaded as PKCS#1, signing heartbeats. */
final class DomainServerKeys
{
    /** The ICE server's replies: 6 bytes, type at 4, version at 5 (ice-wire.md §3.2-3.3). */
    static final byte ACK = 0x3F;
    static final byte DENIED = 60;
    static final byte REPLY_VERSION = 17;

    /** SPKI DER of an RSA-2048 key: this 24-byte AlgorithmIdentifier and BIT STRING header, then PKCS#1. */
    private static final int SPKI_HEADER_2048 = 24;
    private static final byte[] PKCS1_2048_PREFIX = {0x30, (byte)0x82, 0x01, 0x0a};

    private final KeyPair pair;

    private DomainServerKeys(final KeyPair pair)
    {
        this.pair = pair;
    }

    static DomainServerKeys rsa(final int bits) throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return new DomainServerKeys(generator.generateKeyPair());
    }

    RSAPublicKey publicKey()
    {
        return (RSAPublicKey)pair.getPublic();
    }

    byte[] spki()
    {
        return pair.getPublic().getEncoded();
    }

    /** What the domain-server uploads (i2d_RSAPublicKey): 270 bytes starting {@code 30 82 01 0a} for 2048 bits. */
    byte[] pkcs1()
    {
        final byte[] spki = spki();
        final byte[] pkcs1 = Arrays.copyOfRange(spki, SPKI_HEADER_2048, spki.length);
        assertEquals(270, pkcs1.length);
        assertArrayEquals(PKCS1_2048_PREFIX, Arrays.copyOf(pkcs1, 4));
        return pkcs1;
    }

    /** A signed ICEServerHeartbeat (ice-wire.md §3.1) announcing {@code 127.0.0.1:port} as both sockets. */
    byte[] heartbeat(final UUID domain, final int sequence, final int port) throws Exception
    {
        final UnsafeBuffer socket = new UnsafeBuffer(new byte[QtSocketAddress.IPV4_LENGTH]);
        QtSocketAddress.putIpv4(socket, 0, 0x7F00_0001, port);
        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[1024]);
        final int plaintextLength = IceServerHeartbeat.putPlaintext(datagram, 0, sequence,
            domain.getMostSignificantBits(), domain.getLeastSignificantBits(),
            socket, 0, QtSocketAddress.IPV4_LENGTH, socket, 0, QtSocketAddress.IPV4_LENGTH);
        final byte[] plaintext = new byte[plaintextLength];
        datagram.getBytes(IceHeader.LENGTH, plaintext);
        final Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(pair.getPrivate());
        signer.update(plaintext);
        final int length = IceServerHeartbeat.putSignature(datagram, 0, plaintextLength, signer.sign());
        final byte[] bytes = new byte[length];
        datagram.getBytes(0, bytes);
        return bytes;
    }
}
