package io.switchboard.engine.ice;

import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.config.Choices;
import io.switchboard.engine.config.EngineContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

class HeartbeatVerifierTest
{
    private final IceServerHeartbeat heartbeat = new IceServerHeartbeat();

    private static HeartbeatVerifier verifier(final String choice)
    {
        return HeartbeatVerifier.open(Choices.parse(IceContext.VerifyProvider.class, "provider", choice),
            EngineContext.DEFAULT_MAX_DATAGRAM_BYTES);
    }

    private static DomainKeys.DomainKey key(final HeartbeatVerifier verifier, final byte[] spki)
    {
        return new DomainKeys.DomainKey(verifier.parse(spki), spki, DomainKeyCommand.ORIGIN_LOCAL);
    }

    private boolean verify(final HeartbeatVerifier verifier, final DomainKeys.DomainKey key, final byte[] datagram)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        assertTrue(heartbeat.wrap(buffer, 0, datagram.length));
        return verifier.verify(key, buffer, heartbeat.plaintextOffset(), heartbeat.plaintextLength(),
            heartbeat.signatureOffset(), heartbeat.signatureLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void theSpecHeartbeatVerifiesAndEveryTamperingIsRefusedWithTheSameInstance(final String choice)
    {
        final HeartbeatVerifier verifier = verifier(choice);
        final DomainKeys.DomainKey key = key(verifier, Base64.getDecoder().decode(PUBLIC_KEY_SPKI_BASE64));
        assertInstanceOf(RSAPublicKey.class, key.key);
        assertEquals(256, key.signatureLength);
        assertTrue(verify(verifier, key, HEARTBEAT));
        final byte[] tamperedPlaintext = HEARTBEAT.clone();
        tamperedPlaintext[25] ^= 1;
        assertFalse(verify(verifier, key, tamperedPlaintext));
        assertTrue(verify(verifier, key, HEARTBEAT), "a refusal leaves the instance ready for the next heartbeat");
        final byte[] tamperedSignature = HEARTBEAT.clone();
        tamperedSignature[HEARTBEAT.length - 1] ^= 1;
        assertFalse(verify(verifier, key, tamperedSignature));
        assertTrue(verify(verifier, key, HEARTBEAT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void aSignatureOfTheWrongLengthIsRefused(final String choice)
    {
        final HeartbeatVerifier verifier = verifier(choice);
        final DomainKeys.DomainKey key = key(verifier, Base64.getDecoder().decode(PUBLIC_KEY_SPKI_BASE64));
        // The same plaintext with the genuine signature less its last byte, then with a zero byte added.
        for (final int signatureLength : new int[] {255, 257})
        {
            final UnsafeBuffer datagram = new UnsafeBuffer(new byte[HEARTBEAT.length + 1]);
            datagram.putBytes(0, HEARTBEAT, 0, IceHeader.LENGTH + PLAINTEXT.length);
            final byte[] signature = Arrays.copyOfRange(HEARTBEAT, HEARTBEAT.length - 256, HEARTBEAT.length);
            final int length = IceServerHeartbeat.putSignature(
                datagram, 0, PLAINTEXT.length, Arrays.copyOf(signature, signatureLength));
            assertFalse(verify(verifier, key, Arrays.copyOf(datagram.byteArray(), length)));
        }
        assertTrue(verify(verifier, key, HEARTBEAT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void anotherDomainsKeyRefusesAndTheRightOneStillVerifies(final String choice) throws Exception
    {
        final HeartbeatVerifier verifier = verifier(choice);
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final DomainKeys.DomainKey other = key(verifier, generator.generateKeyPair().getPublic().getEncoded());
        final DomainKeys.DomainKey right = key(verifier, Base64.getDecoder().decode(PUBLIC_KEY_SPKI_BASE64));
        assertFalse(verify(verifier, other, HEARTBEAT));
        assertTrue(verify(verifier, right, HEARTBEAT));
        assertFalse(verify(verifier, other, HEARTBEAT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void onlyRsaKeysOfAtLeast1024BitsParse(final String choice) throws Exception
    {
        final HeartbeatVerifier verifier = verifier(choice);
        final KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(512);
        assertNull(verifier.parse(rsa.generateKeyPair().getPublic().getEncoded()));
        final KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        assertNull(verifier.parse(ec.generateKeyPair().getPublic().getEncoded()));
        assertNull(verifier.parse(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "native"})
    @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
    void theNativeProviderLoadsOnLinuxX86ButIsNeverInstalledForTheProcess(final String choice) throws Exception
    {
        assertEquals("AmazonCorrettoCryptoProvider", verifier(choice).providerName());
        assertNull(Security.getProvider("AmazonCorrettoCryptoProvider"), "TLS and the rest keep the JDK's providers");
        assertEquals("SunRsaSign", Signature.getInstance("SHA256withRSA").getProvider().getName());
    }

    @Test
    void jdkMeansTheJdksProvider()
    {
        assertEquals("SunRsaSign", verifier("jdk").providerName());
    }
}
