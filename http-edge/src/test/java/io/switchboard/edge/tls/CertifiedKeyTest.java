package io.switchboard.edge.tls;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PEM vectors an operator's files come in: a chain with its key as PKCS#8 (RSA, EC), PKCS#1 (RSA) or SEC1 (EC),
 * written by BouncyCastle; and what is refused, each with one line naming the file.
 */
class CertifiedKeyTest
{
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Issued rsa;
    private static TestPki.Issued ec;

    @BeforeAll
    static void issue() throws Exception
    {
        pki = TestPki.ca("RSA");
        rsa = pki.server("rsa.test", "RSA");
        ec = pki.server("ec.test", "EC");
    }

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"RSA, pkcs8", "EC, pkcs8", "RSA, traditional", "EC, traditional"})
    void aKeyInEachFormReadsAsTheCertificatesKey(final String algorithm, final String form) throws Exception
    {
        final TestPki.Issued issued = algorithm.equals("RSA") ? rsa : ec;
        final PrivateKey original = issued.keys().getPrivate();
        final String keyText = form.equals("pkcs8") ? TestPki.pkcs8(original) : TestPki.traditional(original);
        final String label = form.equals("pkcs8") ? "PRIVATE KEY" : algorithm + " PRIVATE KEY";
        assertTrue(keyText.startsWith("-----BEGIN " + label + "-----"), keyText);

        final CertifiedKey pair = CertifiedKey.read(
            write("cert.pem", TestPki.pem(issued.certificate())), write("key.pem", keyText));

        assertEquals(algorithm, pair.key().getAlgorithm());
        assertEquals(issued.certificate(), pair.leaf());
        assertEquals(1, pair.chain().length);
        if (form.equals("pkcs8"))
        {
            assertArrayEquals(original.getEncoded(), pair.key().getEncoded());
        }
    }

    @Test
    void aChainOfTwoIsServedLeafFirst() throws Exception
    {
        final CertifiedKey pair = CertifiedKey.read(
            write("chain.pem", "subject=CN = rsa.test\n" + TestPki.pem(rsa.certificate(), pki.certificate())),
            write("chain-key.pem", TestPki.traditional(rsa.keys().getPrivate())));

        assertEquals(2, pair.chain().length);
        assertEquals(rsa.certificate(), pair.chain()[0]);
        assertEquals(pki.certificate(), pair.chain()[1]);
    }

    @Test
    void ecParametersBeforeASec1KeyAreSkipped() throws Exception
    {
        final String parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        final CertifiedKey pair = CertifiedKey.read(write("ec.pem", TestPki.pem(ec.certificate())),
            write("ec-key.pem", parameters + TestPki.traditional(ec.keys().getPrivate())));

        assertEquals("EC", pair.key().getAlgorithm());
    }

    @Test
    void aSec1KeyWithItsCurveAsOpensslWritesItReads() throws Exception
    {
        // SEC1 of a P-256 key with the [0] curve and [1] public key fields, as openssl ec writes it; the JDK's own
        // encoding (the other vectors) has neither.
        final byte[] scalar = new byte[32];
        scalar[31] = 1;
        final String sec1 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(openSslSec1(scalar));
        final Path cert = write("p256.pem", TestPki.pem(ec.certificate()));
        final Path key = write("p256-key.pem", "-----BEGIN EC PRIVATE KEY-----\n" + sec1 +
            "\n-----END EC PRIVATE KEY-----\n");

        // The scalar is not the certificate's: read as an EC key on P-256, then refused as another's key.
        assertTrue(refusal(cert, key).startsWith(key + ": the key is not the one of the certificate"),
            refusal(cert, key));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() throws Exception
    {
        final Path key = write("other-key.pem", TestPki.pkcs8(TestPki.keyPair("RSA").getPrivate()));
        final String message = refusal(write("mismatch.pem", TestPki.pem(rsa.certificate())), key);

        assertTrue(message.startsWith(key + ": the key is not the one of the certificate"), message);
    }

    @Test
    void anEcKeyForAnRsaCertificateIsRefused() throws Exception
    {
        final Path key = write("ec-for-rsa.pem", TestPki.pkcs8(ec.keys().getPrivate()));
        assertTrue(refusal(write("rsa-cert.pem", TestPki.pem(rsa.certificate())), key).startsWith(key + ": "));
    }

    @Test
    void garbageAsTheCertificateIsRefusedNamingTheCertificateFile() throws Exception
    {
        final Path cert = write("garbage.pem", "hello, I am not a certificate\n");
        final Path key = write("good-key.pem", TestPki.pkcs8(rsa.keys().getPrivate()));

        assertEquals(cert + ": no CERTIFICATE block in it", refusal(cert, key));
    }

    @Test
    void aCertificateBlockOfGarbageIsRefused() throws Exception
    {
        final Path cert = write("bad-block.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        final Path key = write("good-key2.pem", TestPki.pkcs8(rsa.keys().getPrivate()));

        assertTrue(refusal(cert, key).startsWith(cert + ": not a PEM certificate chain ("));
    }

    @Test
    void garbageAsTheKeyIsRefusedNamingTheKeyFile() throws Exception
    {
        final Path cert = write("cert-for-garbage.pem", TestPki.pem(rsa.certificate()));
        final Path key = write("garbage-key.pem", "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");

        assertTrue(refusal(cert, key).startsWith(key + ": "), refusal(cert, key));
    }

    @Test
    void aTruncatedKeyIsRefused() throws Exception
    {
        final String whole = TestPki.traditional(rsa.keys().getPrivate());
        final Path cert = write("cert-for-truncated.pem", TestPki.pem(rsa.certificate()));
        final Path key = write("truncated-key.pem", whole.substring(0, whole.length() / 2));

        assertTrue(refusal(cert, key).startsWith(key + ": not a PEM private key (PEM block RSA PRIVATE KEY has no END"));
    }

    @Test
    void aPkcs1KeyWhoseDerIsCutShortIsRefused() throws Exception
    {
        final Path cert = write("cert-for-short.pem", TestPki.pem(rsa.certificate()));
        final Path key = write("short-key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n" +
            "-----END RSA PRIVATE KEY-----\n");

        assertTrue(refusal(cert, key).startsWith(key + ": bad RSA PRIVATE KEY (DER: "), refusal(cert, key));
    }

    @Test
    void anEncryptedKeyIsRefusedSayingHowToDecryptIt() throws Exception
    {
        final Path cert = write("cert-for-encrypted.pem", TestPki.pem(rsa.certificate()));
        final Path key = write("encrypted-key.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n" +
            "-----END ENCRYPTED PRIVATE KEY-----\n");

        assertTrue(refusal(cert, key).contains("decrypt it first"), refusal(cert, key));
    }

    @Test
    void aMissingFileIsRefusedNamingIt() throws Exception
    {
        final Path missing = dir.resolve("no-such-cert.pem");
        final String message = refusal(missing, write("key-for-missing.pem", TestPki.pkcs8(rsa.keys().getPrivate())));

        assertEquals(missing + ": cannot read it (NoSuchFileException)", message);
    }

    @Test
    void aKeyFileWithoutAKeyIsRefused() throws Exception
    {
        final Path cert = write("cert-only.pem", TestPki.pem(rsa.certificate()));
        assertEquals(cert + ": no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in it", refusal(cert, cert));
    }

    /** ECPrivateKey { version 1, privateKey, [0] prime256v1, [1] the generator point as the public key }. */
    private static byte[] openSslSec1(final byte[] scalar)
    {
        final byte[] generator = HexFormat.of().parseHex("04" +
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296" +
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x01, 0x04, 0x20});
        body.writeBytes(scalar);
        body.writeBytes(HexFormat.of().parseHex("a00a06082a8648ce3d030107"));
        body.writeBytes(new byte[] {(byte)0xA1, 0x44, 0x03, 0x42, 0x00});
        body.writeBytes(generator);
        final byte[] content = body.toByteArray();
        final ByteArrayOutputStream sec1 = new ByteArrayOutputStream();
        sec1.writeBytes(new byte[] {0x30, (byte)content.length});
        sec1.writeBytes(content);
        return sec1.toByteArray();
    }

    private static String refusal(final Path cert, final Path key)
    {
        final String message = assertThrows(IllegalArgumentException.class, () -> CertifiedKey.read(cert, key))
            .getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    private static Path write(final String name, final String text) throws Exception
    {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.US_ASCII));
    }
}
