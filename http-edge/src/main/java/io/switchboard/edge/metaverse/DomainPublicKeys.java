package io.switchboard.edge.metaverse;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Turns an uploaded domain key into the SPKI DER the ICE server verifies with (ice-wire.md §5.3). The domain-server
 * uploads PKCS#1 {@code RSAPublicKey} DER; SPKI DER and both PEM armours are accepted too. Only RSA keys from
 * {@link #MIN_RSA_BITS} to {@link #MAX_RSA_BITS} bits pass.
 */
final class DomainPublicKeys
{
    /** Domains generate 2048-bit keys. */
    static final int MIN_RSA_BITS = 2048;
    /** Bounds the key command that carries it into the engine's ring. */
    static final int MAX_RSA_BITS = 4096;

    private static final String PEM_BEGIN = "-----BEGIN ";
    private static final String PEM_PKCS1 = "RSA PUBLIC KEY";
    private static final String PEM_SPKI = "PUBLIC KEY";
    private static final byte DER_SEQUENCE = 0x30;
    private static final byte DER_INTEGER = 0x02;

    /** The outcome of parsing: SPKI DER, or the reason it was refused. */
    record Parsed(byte[] spki, String error)
    {
    }

    private DomainPublicKeys()
    {
    }

    static Parsed parse(final byte[] upload)
    {
        if (upload == null || upload.length == 0)
        {
            return refused("no public key supplied");
        }
        final String text = new String(upload, 0, Math.min(upload.length, 64), StandardCharsets.US_ASCII).trim();
        if (text.startsWith(PEM_BEGIN))
        {
            return parsePem(new String(upload, StandardCharsets.US_ASCII));
        }
        final PublicKey spki = spkiKey(upload);
        return spki != null ? checked(spki) : pkcs1(upload);
    }

    private static Parsed parsePem(final String pem)
    {
        final int labelStart = pem.indexOf(PEM_BEGIN) + PEM_BEGIN.length();
        final int labelEnd = pem.indexOf("-----", labelStart);
        final int bodyEnd = pem.indexOf("-----END", labelEnd);
        if (labelEnd < 0 || bodyEnd < 0)
        {
            return refused("public key PEM is not terminated");
        }
        final String label = pem.substring(labelStart, labelEnd).trim();
        final byte[] der;
        try
        {
            der = Base64.getMimeDecoder().decode(pem.substring(labelEnd + 5, bodyEnd));
        }
        catch (final IllegalArgumentException ex)
        {
            return refused("public key PEM body is not base64");
        }
        if (PEM_PKCS1.equals(label))
        {
            return pkcs1(der);
        }
        if (PEM_SPKI.equals(label))
        {
            final PublicKey key = spkiKey(der);
            return key != null ? checked(key) : refused("public key is not an RSA SubjectPublicKeyInfo");
        }
        return refused("public key PEM must be RSA PUBLIC KEY or PUBLIC KEY, not " + label);
    }

    /** PKCS#1: {@code SEQUENCE { INTEGER modulus, INTEGER publicExponent }} and nothing after it. */
    private static Parsed pkcs1(final byte[] der)
    {
        final DerReader reader = new DerReader(der);
        final int sequenceEnd = reader.enter(DER_SEQUENCE);
        final BigInteger modulus = reader.integer();
        final BigInteger exponent = reader.integer();
        if (sequenceEnd != der.length || modulus == null || exponent == null || reader.position != sequenceEnd ||
            modulus.signum() <= 0 || exponent.signum() <= 0)
        {
            return refused("public key is neither PKCS#1 RSAPublicKey nor SubjectPublicKeyInfo DER");
        }
        try
        {
            return checked(KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent)));
        }
        catch (final GeneralSecurityException ex)
        {
            return refused("public key is not a valid RSA key");
        }
    }

    /** The key when {@code der} is SubjectPublicKeyInfo of any algorithm the JDK knows; null otherwise. */
    private static PublicKey spkiKey(final byte[] der)
    {
        for (final String algorithm : new String[] {"RSA", "EC", "Ed25519", "DSA"})
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            }
            catch (final GeneralSecurityException | RuntimeException ex)
            {
                // Not this algorithm; try the next.
            }
        }
        return null;
    }

    private static Parsed checked(final PublicKey key)
    {
        if (!(key instanceof RSAPublicKey))
        {
            return refused("public key must be RSA, not " + key.getAlgorithm());
        }
        final int bits = ((RSAPublicKey)key).getModulus().bitLength();
        if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)
        {
            return refused("RSA public key has " + bits + " bits; " + MIN_RSA_BITS + " to " + MAX_RSA_BITS +
                " are accepted");
        }
        return new Parsed(key.getEncoded(), null);
    }

    private static Parsed refused(final String error)
    {
        return new Parsed(null, error);
    }

    /** Just enough DER: definite lengths, a SEQUENCE header and INTEGERs. Any malformation yields null or -1. */
    private static final class DerReader
    {
        private final byte[] der;
        private int position;

        DerReader(final byte[] der)
        {
            this.der = der;
        }

        /** Reads a constructed tag's header; returns where its content ends, or -1. */
        int enter(final byte tag)
        {
            final int length = header(tag);
            return length < 0 ? -1 : position + length;
        }

        BigInteger integer()
        {
            final int length = header(DER_INTEGER);
            if (length <= 0)
            {
                return null;
            }
            final byte[] value = new byte[length];
            System.arraycopy(der, position, value, 0, length);
            position += length;
            return new BigInteger(value);
        }

        private int header(final byte tag)
        {
            if (position + 2 > der.length || der[position] != tag)
            {
                return -1;
            }
            position++;
            int length = der[position++] & 0xFF;
            if (length > 0x80)
            {
                final int octets = length & 0x7F;
                if (octets > 3 || position + octets > der.length)
                {
                    return -1;
                }
                length = 0;
                for (int i = 0; i < octets; i++)
                {
                    length = length << 8 | der[position++] & 0xFF;
                }
            }
            else if (length == 0x80)
            {
                return -1;
            }
            return position + length <= der.length ? length : -1;
        }
    }
}
