package io.switchboard.edge.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway certificate authority made at test time (BouncyCastle, independent of the code under test), its server
 * certificates for localhost and 127.0.0.1, and their PEM forms: chain, PKCS#8 key, PKCS#1 or SEC1 key.
 */
public final class TestPki
{
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keys)
    {
    }

    private final Issued ca;

    private TestPki(final Issued ca)
    {
        this.ca = ca;
    }

    /** A new CA with a key of {@code algorithm} (RSA or EC). */
    public static TestPki ca(final String algorithm) throws Exception
    {
        final KeyPair keys = keyPair(algorithm);
        final X500Name name = new X500Name("CN=switchboard test CA " + SERIALS.get());
        final X509v3CertificateBuilder builder = builder(name, name, keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new TestPki(new Issued(sign(builder, keys.getPrivate()), keys));
    }

    public X509Certificate certificate()
    {
        return ca.certificate();
    }

    /** A server certificate for localhost and 127.0.0.1 with a new key of {@code algorithm}, signed by this CA. */
    public Issued server(final String commonName, final String algorithm) throws Exception
    {
        final KeyPair keys = keyPair(algorithm);
        final X509v3CertificateBuilder builder = builder(
            X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
            new X500Name("CN=" + commonName), keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new Issued(sign(builder, ca.keys().getPrivate()), keys);
    }

    /** A client context that trusts this CA only. */
    public SSLContext client() throws GeneralSecurityException, IOException
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca.certificate());
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    public static KeyPair keyPair(final String algorithm) throws GeneralSecurityException
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC"))
        {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        else
        {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    /** The certificates as PEM CERTIFICATE blocks, in order. */
    public static String pem(final X509Certificate... chain) throws IOException
    {
        return write(chain);
    }

    /** The key as a PKCS#8 PRIVATE KEY block. */
    public static String pkcs8(final PrivateKey key) throws IOException
    {
        return write(new JcaPKCS8Generator(key, null).generate());
    }

    /** The key as OpenSSL's traditional form: RSA PRIVATE KEY (PKCS#1) or EC PRIVATE KEY (SEC1). */
    public static String traditional(final PrivateKey key) throws IOException
    {
        return write(key);
    }

    private static String write(final Object... objects) throws IOException
    {
        final StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text))
        {
            for (final Object object : objects)
            {
                writer.writeObject(object);
            }
        }
        return text.toString();
    }

    private static X509v3CertificateBuilder builder(final X500Name issuer, final X500Name subject, final KeyPair keys)
    {
        final Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
            keys.getPublic());
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final PrivateKey issuerKey)
        throws Exception
    {
        final String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    }
}
