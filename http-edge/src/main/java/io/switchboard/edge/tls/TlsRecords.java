package io.switchboard.edge.tls;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * One thread's tools for the TLS 1.3 records of released connections ({@link ReleasedTls}): one AES-GCM cipher
 * initialised per record with the connection's key and nonce, the HMACs the key schedule's HKDF-Expand-Label needs
 * (RFC 8446 section 7.1), and one record's worth of plaintext to open into, with a buffer over it to hand on. Owned by
 * the thread that owns the connections (a signaling agent), never shared; a connection holds none of this while it
 * is idle.
 */
public final class TlsRecords
{
    /** Largest plaintext of a record (RFC 8446 section 5.1). */
    public static final int MAX_PLAINTEXT = 1 << 14;
    /** Header: type, legacy version, length. */
    public static final int HEADER_BYTES = 5;
    /** AES-GCM tag. */
    public static final int TAG_BYTES = 16;
    /** Largest ciphertext a peer may send: the inner plaintext (content, type, padding) and the tag. */
    public static final int MAX_CIPHERTEXT = MAX_PLAINTEXT + 256;
    /** What sealing {@code n} plaintext bytes adds: header, content type, tag. */
    public static final int OVERHEAD = HEADER_BYTES + 1 + TAG_BYTES;

    final Cipher cipher;
    private Mac sha256;
    private Mac sha384;
    /** The inner plaintext of the record opened last, or of the record being sealed. */
    final byte[] plain = new byte[MAX_CIPHERTEXT];
    private final ByteBuffer plainView = ByteBuffer.wrap(plain);
    final byte[] nonce = new byte[12];
    final byte[] header = new byte[HEADER_BYTES];

    public TlsRecords()
    {
        try
        {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM is missing from this JDK", ex);
        }
    }

    /** The plaintext of the application data record opened last, from 0. */
    public byte[] plaintext()
    {
        return plain;
    }

    /** The first {@code length} bytes of {@link #plaintext()}, as a buffer (the same one each time). */
    public ByteBuffer plaintext(final int length)
    {
        return plainView.limit(length).position(0);
    }

    /** Inits the cipher with {@code key} and the nonce of record {@code sequence}, from the iv at {@code ivAt}. */
    void init(final int mode, final SecretKeySpec key, final byte[] ivs, final int ivAt, final long sequence)
        throws GeneralSecurityException
    {
        // nonce = iv XOR the 64-bit sequence number, left-padded to the iv's length (RFC 8446 section 5.3)
        for (int i = 0; i < nonce.length; i++)
        {
            final int fromEnd = nonce.length - 1 - i;
            final byte seq = fromEnd < 8 ? (byte)(sequence >>> (8 * fromEnd)) : 0;
            nonce[i] = (byte)(ivs[ivAt + i] ^ seq);
        }
        // The one object per record: Cipher.init takes the nonce only as an immutable GCMParameterSpec.
        cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
    }

    /**
     * HKDF-Expand-Label(secret, label, "", length) for lengths up to the hash's (one HMAC block: all TLS 1.3 needs
     * for keys, ivs and the next traffic secret).
     */
    byte[] expandLabel(
        final boolean sha384Hash, final byte[] secret, final int at, final int secretBytes, final String label,
        final int length) throws GeneralSecurityException
    {
        final Mac mac = mac(sha384Hash);
        mac.init(new SecretKeySpec(secret, at, secretBytes, mac.getAlgorithm()));
        final int labelBytes = 6 + label.length();
        // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255> = empty
        mac.update((byte)(length >>> 8));
        mac.update((byte)length);
        mac.update((byte)labelBytes);
        for (final char c : ("tls13 " + label).toCharArray())
        {
            mac.update((byte)c);
        }
        mac.update((byte)0);
        mac.update((byte)1); // T(1) = HMAC(secret, info || 0x01)
        final byte[] block = mac.doFinal();
        if (length == block.length)
        {
            return block;
        }
        final byte[] out = new byte[length];
        System.arraycopy(block, 0, out, 0, length);
        return out;
    }

    private Mac mac(final boolean sha384Hash) throws GeneralSecurityException
    {
        if (sha384Hash)
        {
            if (sha384 == null)
            {
                sha384 = Mac.getInstance("HmacSHA384");
            }
            return sha384;
        }
        if (sha256 == null)
        {
            sha256 = Mac.getInstance("HmacSHA256");
        }
        return sha256;
    }
}
