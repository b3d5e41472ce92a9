package io.switchboard.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.switchboard.engine.ice.IceWireVectors;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * One RSA-2048 PKCS#1 v1.5 / SHA-256 verification of the spec's heartbeat (30 bytes signed), by provider: the JDK's,
 * the Amazon Corretto Crypto Provider the engine uses, and Conscrypt, the other native candidate. {@code sameKey}
 * is what the engine does for consecutive heartbeats of one domain (the instance stays initialized), {@code newKey}
 * what it does when the domain changes (initVerify first). Compare with {@code openssl speed rsa2048}'s verify.
 */
public class SignatureVerifyBenchmark extends EngineBenchmark
{
    @Param({"jdk", "accp", "conscrypt"})
    public String provider;

    private Signature verifier;
    private PublicKey key;
    private byte[] plaintext;
    private byte[] signature;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final Provider chosen = switch (provider)
        {
            case "jdk" -> null;
            case "accp" -> AmazonCorrettoCryptoProvider.INSTANCE;
            case "conscrypt" -> Conscrypt.newProvider();
            default -> throw new IllegalArgumentException(provider);
        };
        final byte[] spki = Base64.getDecoder().decode(IceWireVectors.PUBLIC_KEY_SPKI_BASE64);
        key = (chosen == null ? KeyFactory.getInstance("RSA") : KeyFactory.getInstance("RSA", chosen))
            .generatePublic(new X509EncodedKeySpec(spki));
        verifier = chosen == null ?
            Signature.getInstance("SHA256withRSA") : Signature.getInstance("SHA256withRSA", chosen);
        plaintext = IceWireVectors.PLAINTEXT;
        final byte[] heartbeat = IceWireVectors.HEARTBEAT;
        signature = Arrays.copyOfRange(heartbeat, heartbeat.length - 256, heartbeat.length);
        verifier.initVerify(key);
        if (!sameKey())
        {
            throw new IllegalStateException(provider + " does not verify the spec heartbeat");
        }
    }

    @Benchmark
    public boolean sameKey() throws Exception
    {
        verifier.update(plaintext, 0, plaintext.length);
        return verifier.verify(signature, 0, signature.length);
    }

    @Benchmark
    public boolean newKey() throws Exception
    {
        verifier.initVerify(key);
        verifier.update(plaintext, 0, plaintext.length);
        return verifier.verify(signature, 0, signature.length);
    }
}
