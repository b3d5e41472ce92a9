package io.switchboard.tools.ice;

import io.switchboard.engine.ice.IceServerHeartbeat;
import io.switchboard.engine.wire.QtSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * A domain's RSA-2048 key pair as a Vircadia domain server holds it, kept in a PKCS#8 DER file, and the signed
 * heartbeats it sends. The public half is printed as base64 SPKI, the form {@code --domain-key} takes.
 */
final class DomainIdentity
{
    private final KeyPair keyPair;

    private DomainIdentity(final KeyPair keyPair)
    {
        this.keyPair = keyPair;
    }

    /** Loads the key from {@code file}, or generates one and writes it there when the file does not exist. */
    static DomainIdentity loadOrCreate(final Path file) throws IOException, GeneralSecurityException
    {
        final KeyFactory rsa = KeyFactory.getInstance("RSA");
        if (Files.exists(file))
        {
            final RSAPrivateCrtKey key = (RSAPrivateCrtKey)rsa.generatePrivate(
                new PKCS8EncodedKeySpec(Files.readAllBytes(file)));
            return new DomainIdentity(new KeyPair(
                rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent())), key));
        }
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final KeyPair pair = generator.generateKeyPair();
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.write(file, pair.getPrivate().getEncoded());
        return new DomainIdentity(pair);
    }

    String publicKeySpkiBase64()
    {
        return Base64.getEncoder().encodeToString(keyPair.getPublic().getEncoded());
    }

    /** A complete ICEServerHeartbeat claiming {@code publicSocket} and {@code localSocket}. */
    byte[] heartbeat(
        final UUID domain, final int sequence, final InetSocketAddress publicSocket, final InetSocketAddress localSocket)
        throws GeneralSecurityException
    {
        final UnsafeBuffer sockets = new UnsafeBuffer(new byte[2 * QtSocketAddress.MAX_LENGTH]);
        final int publicLength = QtSocketAddress.put(sockets, 0, publicSocket);
        final int localLength = QtSocketAddress.put(sockets, publicLength, localSocket);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
        final int plaintextLength = IceServerHeartbeat.putPlaintext(out, 0, sequence,
            domain.getMostSignificantBits(), domain.getLeastSignificantBits(),
            sockets, 0, publicLength, sockets, publicLength, localLength);
        final Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(keyPair.getPrivate());
        signer.update(out.byteArray(), IceServerHeartbeat.DOMAIN_ID_OFFSET, plaintextLength);
        return Arrays.copyOf(out.byteArray(), IceServerHeartbeat.putSignature(out, 0, plaintextLength, signer.sign()));
    }
}
