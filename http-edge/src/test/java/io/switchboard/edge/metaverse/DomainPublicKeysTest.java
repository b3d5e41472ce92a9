package io.switchboard.edge.metaverse;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The key formats of ice-wire.md §5.3, converted to the SPKI DER the JDK itself encodes. */
class DomainPublicKeysTest
{
    private static void assertSpki(final byte[] expected, final byte[] upload)
    {
        final DomainPublicKeys.Parsed parsed = DomainPublicKeys.parse(upload);
        assertNull(parsed.error());
        assertArrayEquals(expected, parsed.spki());
    }

    private static String errorOf(final byte[] upload)
    {
        final DomainPublicKeys.Parsed parsed = DomainPublicKeys.parse(upload);
        assertNull(parsed.spki());
        return parsed.error();
    }

    @Test
    void pkcs1RsaPublicKeyBecomesSpki() throws Exception
    {
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        assertSpki(keys.spki(), keys.pkcs1());
        assertSpki(keys.spki(), keys.spki());
    }

    @Test
    void pemWithCarriageReturnsIsAccepted() throws Exception
    {
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        final String pem = "-----BEGIN PUBLIC KEY-----\r\n" +
            Base64.getMimeEncoder().encodeToString(keys.spki()) + "\r\n-----END PUBLIC KEY-----\r\n";
        assertSpki(keys.spki(), pem.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void fourThousandNinetySixBitKeysAreTheLargestAccepted() throws Exception
    {
        // A public key needs no primes to be parsed; a random odd modulus spares generating a 4096-bit pair.
        final BigInteger modulus = new BigInteger(4096, new Random(4096)).setBit(4095).setBit(0);
        final byte[] spki = KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(modulus, BigInteger.valueOf(65_537))).getEncoded();
        assertSpki(spki, spki);
        final byte[] larger = KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(modulus.setBit(4096), BigInteger.valueOf(65_537))).getEncoded();
        assertEquals("RSA public key has 4097 bits; 2048 to 4096 are accepted", errorOf(larger));
    }

    @Test
    void pkcs1WithTrailingBytesIsRefused() throws Exception
    {
        final byte[] pkcs1 = DomainServerKeys.rsa(2048).pkcs1();
        final byte[] trailing = Arrays.copyOf(pkcs1, pkcs1.length + 1);
        assertEquals("public key is neither PKCS#1 RSAPublicKey nor SubjectPublicKeyInfo DER", errorOf(trailing));
    }

    @Test
    void emptyAndUnknownPemAreRefused()
    {
        assertEquals("no public key supplied", errorOf(new byte[0]));
        assertEquals("no public key supplied", errorOf(null));
        assertEquals("public key PEM must be RSA PUBLIC KEY or PUBLIC KEY, not CERTIFICATE",
            errorOf("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertEquals("public key PEM is not terminated",
            errorOf("-----BEGIN PUBLIC KEY-----\nAAAA\n".getBytes(StandardCharsets.US_ASCII)));
    }
}
