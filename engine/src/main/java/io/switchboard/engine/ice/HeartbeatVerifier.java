package io.switchboard.engine.ice;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;

/**
 * RSA PKCS#1 v1.5 over SHA-256 (ice-wire.md §3.1) through one JCA provider chosen at start: the Amazon Corretto
 * Crypto Provider (AWS-LC, native) where its library loads, else the JDK's. The provider serves this verifier's own
 * instances only; it is never installed for the process. Owned by the handler thread.
 */
public final class HeartbeatVerifier
{
    static final String ALGORITHM = "SHA256withRSA";
    /** Smallest modulus accepted: domains use 2048 bits. */
    static final int MIN_RSA_BITS = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerifier.class);

    private final KeyFactory keyFactory;
    private final Signature signature;
    private final String providerName;
    private final byte[] plaintext;
    private final byte[] signed;
    private PublicKey initializedKey;

    private HeartbeatVerifier(final Provider provider, final int maxDatagramBytes) throws GeneralSecurityException
    {
        keyFactory = provider == null ? KeyFactory.getInstance("RSA") : KeyFactory.getInstance("RSA", provider);
        signature = provider == null ? Signature.getInstance(ALGORITHM) : Signature.getInstance(ALGORITHM, provider);
        providerName = signature.getProvider().getName();
        plaintext = new byte[maxDatagramBytes];
        signed = new byte[maxDatagramBytes];
    }

    /**
     * @param choice {@code AUTO}: native where it loads, else the JDK; {@code NATIVE}: native or fail;
     *               {@code JDK}: the JDK's provider
     */
    public static HeartbeatVerifier open(final IceContext.VerifyProvider choice, final int maxDatagramBytes)
    {
        Provider provider = null;
        String fallbackReason = "--ice-verify-provider=jdk";
        if (choice != IceContext.VerifyProvider.JDK)
        {
            try
            {
                provider = loadNative();
            }
            catch (final RuntimeException | LinkageError ex)
            {
                if (choice == IceContext.VerifyProvider.NATIVE)
                {
                    throw new IllegalStateException("the native verification provider did not load: " + ex, ex);
                }
                fallbackReason = "the native provider did not load: " + ex;
            }
        }
        try
        {
            final HeartbeatVerifier verifier = new HeartbeatVerifier(provider, maxDatagramBytes);
            if (provider == null)
            {
                LOG.warn("ICE heartbeat verification: {} (JDK; {})", verifier.providerName, fallbackReason);
            }
            else
            {
                LOG.info("ICE heartbeat verification: {} {} (native)", verifier.providerName,
                    ((AmazonCorrettoCryptoProvider)provider).getVersionStr());
            }
            return verifier;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("no " + ALGORITHM + " verifier", ex);
        }
    }

    private static Provider loadNative()
    {
        final AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
        if (provider.getLoadingError() != null)
        {
            throw new IllegalStateException(provider.getLoadingError());
        }
        // Runs the provider's known-answer tests once; a library that loads but computes wrongly is not used.
        provider.assertHealthy();
        return provider;
    }

    /** The JCA provider's name, for the start log and {@code /metrics}. */
    public String providerName()
    {
        return providerName;
    }

    /** Parses SPKI DER into an RSA key of at least {@link #MIN_RSA_BITS} for this provider; null otherwise. */
    PublicKey parse(final byte[] spki)
    {
        try
        {
            final PublicKey key = keyFactory.generatePublic(new X509EncodedKeySpec(spki));
            return key instanceof RSAPublicKey && ((RSAPublicKey)key).getModulus().bitLength() >= MIN_RSA_BITS ?
                key : null;
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            return null;
        }
    }

    /** Bytes of a signature made with {@code key}: its modulus length. */
    static int signatureLength(final PublicKey key)
    {
        return (((RSAPublicKey)key).getModulus().bitLength() + 7) / 8;
    }

    /**
     * True when the signature bytes are {@code key}'s signature of the plaintext bytes. A signature of the wrong
     * length is refused before the provider sees it (the JDK would throw, and a flood must not cost exceptions).
     */
    boolean verify(
        final DomainKeys.DomainKey key,
        final DirectBuffer buffer,
        final int plaintextOffset,
        final int plaintextLength,
        final int signatureOffset,
        final int signatureLength)
    {
        if (signatureLength != key.signatureLength)
        {
            return false;
        }
        buffer.getBytes(plaintextOffset, plaintext, 0, plaintextLength);
        buffer.getBytes(signatureOffset, signed, 0, signatureLength);
        try
        {
            // verify() leaves the instance initialized with the same key, so a repeated key skips initVerify.
            if (initializedKey != key.key)
            {
                initializedKey = null;
                signature.initVerify(key.key);
                initializedKey = key.key;
            }
            signature.update(plaintext, 0, plaintextLength);
            return signature.verify(signed, 0, signatureLength);
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            // Malformed input the provider refuses: not verified, as OpenSSL would answer; start afresh next time.
            initializedKey = null;
            return false;
        }
    }
}
