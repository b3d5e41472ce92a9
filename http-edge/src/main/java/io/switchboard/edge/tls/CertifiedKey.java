package io.switchboard.edge.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A server's certificate chain and its private key, read from two PEM files: the chain as {@code CERTIFICATE} blocks,
 * leaf first; the key unencrypted, RSA or EC, as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 * SEC1 ({@code EC PRIVATE KEY}), the latter two wrapped into PKCS#8 here. The key must be the leaf's: a signature
 * made with it must verify with the leaf's public key. Every refusal is one line naming the file and the reason.
 */
public record CertifiedKey(X509Certificate[] chain, PrivateKey key)
{
    private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2A, (byte)0x86, 0x48, (byte)0x86, (byte)0xF7, 0x0D, 0x01,
        0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte)0x86, 0x48, (byte)0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] DER_NULL = {Der.NULL, 0x00};
    private static final byte[] VERSION_0 = {Der.INTEGER, 0x01, 0x00};
    private static final int PROBE_BYTES = 32;

    /** Reads both files; see {@link #parse}. */
    public static CertifiedKey read(final Path certFile, final Path keyFile)
    {
        return parse(certFile, readAll(certFile), keyFile, readAll(keyFile));
    }

    /** The pair in {@code certText} and {@code keyText}; the paths only name the files in a refusal. */
    public static CertifiedKey parse(
        final Path certFile, final byte[] certText, final Path keyFile, final byte[] keyText)
    {
        final X509Certificate[] chain = chain(certFile, certText);
        final PrivateKey key = key(keyFile, keyText, chain[0]);
        if (!matches(chain[0], key))
        {
            throw new IllegalArgumentException(keyFile + ": the key is not the one of the certificate in " + certFile +
                " (" + chain[0].getSubjectX500Principal().getName() + ")");
        }
        return new CertifiedKey(chain, key);
    }

    /** The leaf certificate, the one served first. */
    public X509Certificate leaf()
    {
        return chain[0];
    }

    static byte[] readAll(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException | SecurityException ex)
        {
            throw new IllegalArgumentException(file + ": cannot read it (" + ex.getClass().getSimpleName() +
                (ex.getMessage() == null || ex.getMessage().equals(file.toString()) ? "" : ": " + ex.getMessage()) +
                ")", ex);
        }
    }

    private static X509Certificate[] chain(final Path file, final byte[] text)
    {
        final List<X509Certificate> chain = new ArrayList<>();
        try
        {
            final CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (final Pem.Block block : Pem.blocks(text))
            {
                if (block.label().equals("CERTIFICATE"))
                {
                    chain.add((X509Certificate)factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        }
        catch (final RuntimeException | CertificateException ex)
        {
            throw new IllegalArgumentException(file + ": not a PEM certificate chain (" + oneLine(ex) + ")", ex);
        }
        if (chain.isEmpty())
        {
            throw new IllegalArgumentException(file + ": no CERTIFICATE block in it");
        }
        return chain.toArray(new X509Certificate[0]);
    }

    private static PrivateKey key(final Path file, final byte[] text, final X509Certificate leaf)
    {
        final List<Pem.Block> blocks;
        try
        {
            blocks = Pem.blocks(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": not a PEM private key (" + oneLine(ex) + ")", ex);
        }
        for (final Pem.Block block : blocks)
        {
            try
            {
                switch (block.label())
                {
                    case "PRIVATE KEY":
                        return pkcs8(block.der());
                    case "RSA PRIVATE KEY":
                        return pkcs8(wrap(RSA_ENCRYPTION, DER_NULL, Der.whole(block.der(), Der.SEQUENCE).encoded()));
                    case "EC PRIVATE KEY":
                        return pkcs8(wrap(EC_PUBLIC_KEY, sec1Curve(block.der(), leaf), block.der()));
                    case "ENCRYPTED PRIVATE KEY":
                        throw new IllegalArgumentException(
                            "the key is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)");
                    default:
                        break; // EC PARAMETERS and the like, written beside the key by some tools
                }
            }
            catch (final RuntimeException | GeneralSecurityException ex)
            {
                throw new IllegalArgumentException(file + ": bad " + block.label() + " (" + oneLine(ex) + ")", ex);
            }
        }
        throw new IllegalArgumentException(file + ": no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in it");
    }

    /** A PKCS#8 PrivateKeyInfo: version 0, the algorithm, the key in an OCTET STRING. */
    private static byte[] wrap(final byte[] algorithm, final byte[] parameters, final byte[] key)
    {
        return Der.element(Der.SEQUENCE, VERSION_0, Der.element(Der.SEQUENCE, algorithm, parameters),
            Der.element(Der.OCTET_STRING, key));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey, which PKCS#8 carries in the algorithm: its {@code [0]} parameters, or
     * when it has none (the JDK writes none), the curve of the certificate's EC key it must match anyway.
     */
    private static byte[] sec1Curve(final byte[] sec1, final X509Certificate leaf)
    {
        final Der.Element key = Der.whole(sec1, Der.SEQUENCE);
        for (Der.Element field = key.firstChild(); field != null; field = field.nextIn(key))
        {
            if (field.tag() == Der.CONTEXT_0)
            {
                final Der.Element curve = field.firstChild();
                if (curve.tag() != Der.OBJECT_IDENTIFIER)
                {
                    throw new IllegalArgumentException("its curve is not a named curve");
                }
                return curve.encoded();
            }
        }
        final byte[] spki = leaf.getPublicKey().getEncoded();
        final Der.Element info = Der.whole(spki, Der.SEQUENCE);
        final Der.Element algorithm = info.firstChild();
        final Der.Element oid = algorithm.firstChild();
        final Der.Element curve = oid.nextIn(algorithm);
        if (!Arrays.equals(oid.encoded(), EC_PUBLIC_KEY) || curve == null || curve.tag() != Der.OBJECT_IDENTIFIER)
        {
            throw new IllegalArgumentException("it names no curve, and the certificate's key is not on a named one");
        }
        return curve.encoded();
    }

    private static PrivateKey pkcs8(final byte[] der) throws GeneralSecurityException
    {
        final Der.Element info = Der.whole(der, Der.SEQUENCE);
        final Der.Element version = info.firstChild();
        final Der.Element algorithm = version.nextIn(info);
        if (algorithm == null || algorithm.tag() != Der.SEQUENCE)
        {
            throw new IllegalArgumentException("no algorithm");
        }
        final byte[] oid = algorithm.firstChild().encoded();
        final String name;
        if (Arrays.equals(oid, RSA_ENCRYPTION))
        {
            name = "RSA";
        }
        else if (Arrays.equals(oid, EC_PUBLIC_KEY))
        {
            name = "EC";
        }
        else
        {
            throw new IllegalArgumentException("neither an RSA nor an EC key");
        }
        return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static boolean matches(final X509Certificate leaf, final PrivateKey key)
    {
        if (!leaf.getPublicKey().getAlgorithm().equals(key.getAlgorithm()))
        {
            return false;
        }
        try
        {
            final String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            final byte[] probe = new byte[PROBE_BYTES];
            new SecureRandom().nextBytes(probe);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            return false;
        }
    }

    private static String oneLine(final Throwable ex)
    {
        final String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return message.replace('\n', ' ').replace('\r', ' ');
    }
}
