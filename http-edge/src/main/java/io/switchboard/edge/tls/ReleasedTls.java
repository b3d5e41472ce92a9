package io.switchboard.edge.tls;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Key;

/**
 * The record state of one TLS 1.3 AES-GCM connection whose JDK engine was let go after the handshake (RFC 8446
 * section 5): per direction the traffic secret (for KeyUpdate, section 7.2), the key (one {@link SecretKeySpec}, made
 * when the key changes), the iv and the next sequence number; a few hundred bytes where the engine held several
 * kilobytes. Records are sealed and opened with the
 * owning thread's {@link TlsRecords}. Owned by one connection, used on its owner's thread only.
 * <p>
 * What a client may send once the handshake is over: application data, alerts (close_notify ends the stream, any
 * other ends the connection) and KeyUpdate (answered with ours when it asks); anything else is an unexpected_message.
 * The keys are taken out of the engine by reflection into the JDK's own classes ({@link #take}); on a JDK laid out
 * otherwise nothing is taken and the engine is kept.
 */
public final class ReleasedTls
{
    /** {@link #open}: no complete record in the bytes given. */
    public static final int NEED_MORE = -2;
    /** {@link #open}: the peer's close_notify. */
    public static final int CLOSED = -1;

    /** Alert descriptions (RFC 8446 section 6). */
    public static final int CLOSE_NOTIFY = 0;
    public static final int UNEXPECTED_MESSAGE = 10;
    public static final int BAD_RECORD_MAC = 20;
    public static final int RECORD_OVERFLOW = 22;
    public static final int DECODE_ERROR = 50;
    public static final int USER_CANCELED = 90;

    private static final byte CHANGE_CIPHER_SPEC = 20;
    private static final byte ALERT = 21;
    private static final byte HANDSHAKE = 22;
    private static final byte APPLICATION_DATA = 23;
    private static final byte KEY_UPDATE = 24;
    /**
     * Records under one key before ours is updated, and before the client is asked to update its own: well below
     * AES-GCM's limit of 2^24.5 (RFC 8446 section 5.5).
     */
    static final long DEFAULT_RECORDS_PER_KEY = 1L << 23;

    private static final int IV_BYTES = 12;
    /** Where the read direction's traffic secret and iv begin in {@link #secrets}. */
    private static final int READ_AT = 0;

    private final boolean sha384;
    /**
     * One array for both directions: the read traffic secret and iv, then the write traffic secret and iv
     * ({@link #secretBytes} and {@link #IV_BYTES} each).
     */
    private final byte[] secrets;
    private final int secretBytes;
    private final int keyBytes;
    /** Where the write direction's traffic secret and iv begin in {@link #secrets}. */
    private final int writeAt;
    private SecretKeySpec readKey;
    private SecretKeySpec writeKey;
    private long readSeq;
    private long writeSeq;
    private final long recordsPerKey;

    private ReleasedTls(
        final boolean sha384, final byte[] secrets, final SecretKeySpec readKey, final SecretKeySpec writeKey,
        final long readSeq, final long writeSeq, final long recordsPerKey)
    {
        this.sha384 = sha384;
        this.secrets = secrets;
        this.secretBytes = sha384 ? 48 : 32;
        this.keyBytes = sha384 ? 32 : 16;
        this.writeAt = secretBytes + IV_BYTES;
        this.readKey = readKey;
        this.writeKey = writeKey;
        this.readSeq = readSeq;
        this.writeSeq = writeSeq;
        this.recordsPerKey = recordsPerKey;
    }

    /** A state that carries nothing: a marker for the caller ({@link TlsReleases#NEVER}). */
    static ReleasedTls none()
    {
        return new ReleasedTls(false, new byte[0], null, null, 0, 0, 0);
    }

    private static byte[] concat(final byte[]... parts)
    {
        int n = 0;
        for (final byte[] part : parts)
        {
            n += part.length;
        }
        final byte[] all = new byte[n];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** A fatal alert: sent (when it can be) before the connection closes. */
    public static final class Alert extends SSLException
    {
        private final int description;

        Alert(final int description, final String message)
        {
            super(message);
            this.description = description;
        }

        /** The alert to send; -1 for the peer's own fatal alert (nothing to answer). */
        public int description()
        {
            return description;
        }
    }

    /** This JDK's engine is laid out otherwise: nothing can ever be taken from it. */
    public static final class Unsupported extends Exception
    {
        Unsupported(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * Takes the record state out of a server {@code engine} whose TLS 1.3 AES-GCM handshake is over and that holds
     * nothing (no handshake message half read, nothing left to send, the session ticket sent); the engine must not be
     * used afterwards.
     *
     * @return the state, or null when the engine cannot be let go now (still busy) or ever (TLS 1.2, ChaCha20: see
     *         {@link #releasable})
     * @throws Unsupported when the JDK's classes are not the ones this was written for
     */
    public static ReleasedTls take(final SSLEngine engine) throws Unsupported
    {
        return take(engine, DEFAULT_RECORDS_PER_KEY);
    }

    static ReleasedTls take(final SSLEngine engine, final long recordsPerKey) throws Unsupported
    {
        if (!releasable(engine) || engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING ||
            engine.isInboundDone() || engine.isOutboundDone())
        {
            return null;
        }
        final Layout layout = Layout.get();
        try
        {
            final Object context = layout.conContext.get(ServerEngine.jdk(engine));
            if (layout.handshakeContext.get(context) != null || (boolean)layout.isBroken.get(context))
            {
                return null;
            }
            final Object input = layout.inputRecord.get(context);
            final Object output = layout.outputRecord.get(context);
            final Object handshakeBuffer = layout.handshakeBuffer.get(input);
            if (handshakeBuffer != null && ((ByteBuffer)handshakeBuffer).hasRemaining() ||
                !(boolean)layout.outputEmpty.invoke(output))
            {
                return null;
            }
            final Object read = layout.readCipher.get(input);
            final Object write = layout.writeCipher.get(output);
            if (read.getClass() != layout.gcmRead || write.getClass() != layout.gcmWrite)
            {
                throw new Unsupported("ciphers " + read.getClass().getName() + ", " + write.getClass().getName(),
                    null);
            }
            final boolean sha384 = engine.getSession().getCipherSuite().endsWith("SHA384");
            final byte[] secrets = concat(
                ((SecretKey)layout.readSecret.get(read)).getEncoded(),
                (byte[])layout.readIv.get(read),
                ((SecretKey)layout.writeSecret.get(write)).getEncoded(),
                (byte[])layout.writeIv.get(write));
            final byte[] readKey = ((Key)layout.readKey.get(read)).getEncoded();
            final byte[] writeKey = ((Key)layout.writeKey.get(write)).getEncoded();
            final int keyBytes = sha384 ? 32 : 16;
            if (secrets.length != 2 * ((sha384 ? 48 : 32) + IV_BYTES) || readKey.length != keyBytes ||
                writeKey.length != keyBytes)
            {
                throw new Unsupported("keys of unexpected sizes for " + engine.getSession().getCipherSuite(), null);
            }
            return new ReleasedTls(sha384, secrets, new SecretKeySpec(readKey, "AES"),
                new SecretKeySpec(writeKey, "AES"),
                sequence((byte[])layout.block.get(layout.readAuthenticator.get(read))),
                sequence((byte[])layout.block.get(layout.writeAuthenticator.get(write))),
                recordsPerKey);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new Unsupported("the JDK's SSLEngine is not laid out as expected: " + ex, ex);
        }
    }

    /** Whether {@code engine}'s session is one a record layer of ours can carry on: TLS 1.3 with AES-GCM. */
    public static boolean releasable(final SSLEngine engine)
    {
        final String suite = engine.getSession().getCipherSuite();
        return "TLSv1.3".equals(engine.getSession().getProtocol()) &&
            ("TLS_AES_128_GCM_SHA256".equals(suite) || "TLS_AES_256_GCM_SHA384".equals(suite));
    }

    private static long sequence(final byte[] block)
    {
        long seq = 0;
        for (int i = 0; i < 8; i++)
        {
            seq = seq << 8 | block[i] & 0xFF;
        }
        return seq;
    }

    private static Field field(final Class<?> type, final String name) throws NoSuchFieldException
    {
        Class<?> at = type;
        while (at != null)
        {
            try
            {
                final Field field = at.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            }
            catch (final NoSuchFieldException ex)
            {
                at = at.getSuperclass();
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    /** The JDK's fields, looked up once. */
    private static final class Layout
    {
        private static Layout instance;
        private static Unsupported failure;

        final Field conContext;
        final Field handshakeContext;
        final Field isBroken;
        final Field inputRecord;
        final Field outputRecord;
        final Field handshakeBuffer;
        final Method outputEmpty;
        final Field readCipher;
        final Field writeCipher;
        final Field readSecret;
        final Field writeSecret;
        final Field readAuthenticator;
        final Field writeAuthenticator;
        final Field block;
        /** The TLS 1.3 AES-GCM ciphers, the only ones taken, and their key and iv. */
        final Class<?> gcmRead;
        final Class<?> gcmWrite;
        final Field readKey;
        final Field readIv;
        final Field writeKey;
        final Field writeIv;

        private Layout() throws ReflectiveOperationException
        {
            final Class<?> engine = Class.forName("sun.security.ssl.SSLEngineImpl");
            final Class<?> context = Class.forName("sun.security.ssl.TransportContext");
            final Class<?> input = Class.forName("sun.security.ssl.SSLEngineInputRecord");
            final Class<?> output = Class.forName("sun.security.ssl.SSLEngineOutputRecord");
            final Class<?> read = Class.forName("sun.security.ssl.SSLCipher$SSLReadCipher");
            final Class<?> write = Class.forName("sun.security.ssl.SSLCipher$SSLWriteCipher");
            conContext = field(engine, "conContext");
            handshakeContext = field(context, "handshakeContext");
            isBroken = field(context, "isBroken");
            inputRecord = field(context, "inputRecord");
            outputRecord = field(context, "outputRecord");
            handshakeBuffer = field(input, "handshakeBuffer");
            outputEmpty = output.getDeclaredMethod("isEmpty");
            outputEmpty.setAccessible(true);
            readCipher = field(input, "readCipher");
            writeCipher = field(output, "writeCipher");
            readSecret = field(read, "baseSecret");
            writeSecret = field(write, "baseSecret");
            readAuthenticator = field(read, "authenticator");
            writeAuthenticator = field(write, "authenticator");
            block = field(Class.forName("sun.security.ssl.Authenticator"), "block");
            gcmRead = Class.forName("sun.security.ssl.SSLCipher$T13GcmReadCipherGenerator$GcmReadCipher");
            gcmWrite = Class.forName("sun.security.ssl.SSLCipher$T13GcmWriteCipherGenerator$GcmWriteCipher");
            readKey = field(gcmRead, "key");
            readIv = field(gcmRead, "iv");
            writeKey = field(gcmWrite, "key");
            writeIv = field(gcmWrite, "iv");
        }

        static synchronized Layout get() throws Unsupported
        {
            if (instance == null && failure == null)
            {
                try
                {
                    instance = new Layout();
                }
                catch (final ReflectiveOperationException | RuntimeException ex)
                {
                    failure = new Unsupported("the JDK's SSLEngine cannot be let go: " + ex, ex);
                }
            }
            if (failure != null)
            {
                throw failure;
            }
            return instance;
        }
    }

    /**
     * Seals application data from {@code src} into {@code out}, one record per {@link TlsRecords#MAX_PLAINTEXT}
     * bytes, while {@code out} has room for a whole record of what is left (or of the largest).
     *
     * @return plaintext bytes taken from {@code src}
     */
    public int seal(final TlsRecords tools, final ByteBuffer src, final ByteBuffer out) throws SSLException
    {
        int taken = 0;
        while (src.hasRemaining())
        {
            final int n = Math.min(src.remaining(), TlsRecords.MAX_PLAINTEXT);
            if (out.remaining() < n + TlsRecords.OVERHEAD + 2 * (TlsRecords.OVERHEAD + 1))
            {
                break; // room kept for a KeyUpdate and an alert behind it
            }
            src.get(tools.plain, 0, n);
            sealRecord(tools, APPLICATION_DATA, n, out);
            taken += n;
        }
        return taken;
    }

    /** Seals an alert ({@code description}, fatal unless close_notify) into {@code out}. */
    public void sealAlert(final TlsRecords tools, final int description, final ByteBuffer out) throws SSLException
    {
        tools.plain[0] = (byte)(description == CLOSE_NOTIFY ? 1 : 2);
        tools.plain[1] = (byte)description;
        sealRecord(tools, ALERT, 2, out);
    }

    /**
     * Seals a KeyUpdate into {@code out} and moves on to the next write key (RFC 8446 section 4.6.3).
     *
     * @param requested whether the peer is asked to update its own
     */
    public void sealKeyUpdate(final TlsRecords tools, final boolean requested, final ByteBuffer out)
        throws SSLException
    {
        tools.plain[0] = KEY_UPDATE;
        tools.plain[1] = 0;
        tools.plain[2] = 0;
        tools.plain[3] = 1;
        tools.plain[4] = (byte)(requested ? 1 : 0);
        sealRecord(tools, HANDSHAKE, 5, out);
        try
        {
            writeKey = update(tools, writeAt);
            writeSeq = 0;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new SSLException("cannot update the write key", ex);
        }
    }

    /** Seals {@code message} as one protected handshake record: what a peer may send, for tests. */
    void sealHandshake(final TlsRecords tools, final byte[] message, final ByteBuffer out) throws SSLException
    {
        System.arraycopy(message, 0, tools.plain, 0, message.length);
        sealRecord(tools, HANDSHAKE, message.length, out);
    }

    /** Seals {@code n} bytes of {@code tools.plain} as one record of {@code type} into {@code out}. */
    private void sealRecord(final TlsRecords tools, final byte type, final int n, final ByteBuffer out)
        throws SSLException
    {
        if (writeSeq >= recordsPerKey && type == APPLICATION_DATA)
        {
            final byte[] kept = java.util.Arrays.copyOf(tools.plain, n);
            sealKeyUpdate(tools, false, out);
            System.arraycopy(kept, 0, tools.plain, 0, n);
        }
        tools.plain[n] = type;
        final int length = n + 1 + TlsRecords.TAG_BYTES;
        final byte[] header = tools.header;
        header[0] = APPLICATION_DATA; // the opaque type of every protected record
        header[1] = 3;
        header[2] = 3;
        header[3] = (byte)(length >>> 8);
        header[4] = (byte)length;
        final int at = out.position() + TlsRecords.HEADER_BYTES;
        try
        {
            tools.init(Cipher.ENCRYPT_MODE, writeKey, secrets, writeAt + secretBytes, writeSeq);
            tools.cipher.updateAAD(header);
            final int sealed = tools.cipher.doFinal(tools.plain, 0, n + 1, out.array(), out.arrayOffset() + at);
            if (sealed != length)
            {
                throw new SSLException("sealed " + sealed + " bytes, expected " + length);
            }
        }
        catch (final GeneralSecurityException ex)
        {
            throw new SSLException("cannot seal a record", ex);
        }
        out.put(header);
        out.position(at + length);
        writeSeq++;
    }

    /**
     * Opens the first record of {@code net} (consumed when complete). Application data is left in
     * {@link TlsRecords#plaintext()}; a KeyUpdate is applied, and answered into {@code reply} when it asks for ours.
     *
     * @return application bytes in {@link TlsRecords#plaintext()} (0 for a record that carried none, such as a
     *         KeyUpdate); {@link #NEED_MORE} when no whole record is there; {@link #CLOSED} at close_notify
     * @throws Alert what the peer sent breaks TLS, or a fatal alert of the peer (description -1 then: nothing to send)
     */
    public int open(final TlsRecords tools, final ByteBuffer net, final ByteBuffer reply) throws SSLException
    {
        if (net.remaining() < TlsRecords.HEADER_BYTES)
        {
            return NEED_MORE;
        }
        final int start = net.position();
        final int type = net.get(start) & 0xFF;
        final int length = (net.get(start + 3) & 0xFF) << 8 | net.get(start + 4) & 0xFF;
        if (type != APPLICATION_DATA)
        {
            throw new Alert(UNEXPECTED_MESSAGE, "an unprotected record of type " + type + " after the handshake");
        }
        if (net.get(start + 1) != 3 || net.get(start + 2) != 3)
        {
            throw new Alert(DECODE_ERROR, "a record of version " + net.get(start + 1) + "." + net.get(start + 2));
        }
        if (length > TlsRecords.MAX_CIPHERTEXT || length <= TlsRecords.TAG_BYTES)
        {
            throw new Alert(RECORD_OVERFLOW, "a protected record of " + length + " bytes");
        }
        if (net.remaining() < TlsRecords.HEADER_BYTES + length)
        {
            return NEED_MORE;
        }
        final int opened;
        try
        {
            net.get(start, tools.header, 0, TlsRecords.HEADER_BYTES);
            tools.init(Cipher.DECRYPT_MODE, readKey, secrets, READ_AT + secretBytes, readSeq);
            tools.cipher.updateAAD(tools.header);
            opened = tools.cipher.doFinal(net.array(), net.arrayOffset() + start + TlsRecords.HEADER_BYTES, length,
                tools.plain, 0);
        }
        catch (final AEADBadTagException ex)
        {
            throw new Alert(BAD_RECORD_MAC, "a record that does not authenticate");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new Alert(BAD_RECORD_MAC, "a record that cannot be opened: " + ex);
        }
        net.position(start + TlsRecords.HEADER_BYTES + length);
        if (++readSeq == recordsPerKey)
        {
            // The client's key nears its limit: it is asked to update it (it answers with a KeyUpdate of its own).
            final byte[] kept = java.util.Arrays.copyOf(tools.plain, opened);
            sealKeyUpdate(tools, true, reply);
            System.arraycopy(kept, 0, tools.plain, 0, opened);
        }
        if (opened > TlsRecords.MAX_PLAINTEXT + 1) // content, type and padding together (RFC 8446 5.4)
        {
            throw new Alert(RECORD_OVERFLOW, "a record of " + opened + " inner plaintext bytes");
        }
        int end = opened;
        while (end > 0 && tools.plain[end - 1] == 0)
        {
            end--; // padding
        }
        if (end == 0)
        {
            throw new Alert(UNEXPECTED_MESSAGE, "a record of padding only");
        }
        final int content = end - 1;
        final byte inner = tools.plain[content];
        if (content > TlsRecords.MAX_PLAINTEXT)
        {
            throw new Alert(RECORD_OVERFLOW, "a record of " + content + " plaintext bytes");
        }
        return switch (inner)
        {
            case APPLICATION_DATA -> content;
            case ALERT -> alert(tools, content);
            case HANDSHAKE -> handshake(tools, content, reply);
            case CHANGE_CIPHER_SPEC -> throw new Alert(UNEXPECTED_MESSAGE, "a protected change_cipher_spec");
            default -> throw new Alert(UNEXPECTED_MESSAGE, "a record of content type " + inner);
        };
    }

    private static int alert(final TlsRecords tools, final int content) throws Alert
    {
        if (content != 2)
        {
            throw new Alert(DECODE_ERROR, "an alert of " + content + " bytes");
        }
        if (tools.plain[1] == CLOSE_NOTIFY || tools.plain[1] == USER_CANCELED)
        {
            return CLOSED; // closure alerts (RFC 8446 section 6.1); user_canceled is followed by close_notify
        }
        throw new Alert(-1, "the peer's alert " + (tools.plain[1] & 0xFF));
    }

    /**
     * The one handshake message a client may send after the handshake: a KeyUpdate, which must end its record (RFC
     * 8446 section 5.1), so one record costs at most one key derivation and one answer.
     */
    private int handshake(final TlsRecords tools, final int content, final ByteBuffer reply) throws SSLException
    {
        if (content < 4)
        {
            throw new Alert(UNEXPECTED_MESSAGE, "a handshake message split over records");
        }
        final int type = tools.plain[0] & 0xFF;
        final int length = (tools.plain[1] & 0xFF) << 16 | (tools.plain[2] & 0xFF) << 8 | tools.plain[3] & 0xFF;
        if (type != KEY_UPDATE)
        {
            throw new Alert(UNEXPECTED_MESSAGE, "handshake message " + type + " after the handshake");
        }
        if (length != 1 || content < 5)
        {
            throw new Alert(DECODE_ERROR, "a KeyUpdate of " + length + " bytes");
        }
        if (content > 5)
        {
            throw new Alert(UNEXPECTED_MESSAGE, "a KeyUpdate that does not end its record");
        }
        final int request = tools.plain[4];
        if (request != 0 && request != 1)
        {
            throw new Alert(DECODE_ERROR, "a KeyUpdate with request " + request);
        }
        try
        {
            readKey = update(tools, READ_AT);
            readSeq = 0;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new SSLException("cannot update the read key", ex);
        }
        if (request == 1)
        {
            sealKeyUpdate(tools, false, reply);
        }
        return 0;
    }

    /**
     * The next traffic secret of one direction, from {@code at} in {@link #secrets}, and its iv (RFC 8446 section
     * 7.2): secret' = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
     *
     * @return the direction's next key
     */
    private SecretKeySpec update(final TlsRecords tools, final int at) throws GeneralSecurityException
    {
        final byte[] secret = tools.expandLabel(sha384, secrets, at, secretBytes, "traffic upd", secretBytes);
        System.arraycopy(secret, 0, secrets, at, secretBytes);
        final byte[] iv = tools.expandLabel(sha384, secrets, at, secretBytes, "iv", IV_BYTES);
        System.arraycopy(iv, 0, secrets, at + secretBytes, IV_BYTES);
        return new SecretKeySpec(tools.expandLabel(sha384, secrets, at, secretBytes, "key", keyBytes), "AES");
    }

    /** The key records are opened with now (made when it changes, not per record). */
    SecretKeySpec readKey()
    {
        return readKey;
    }

    /** The key records are sealed with now. */
    SecretKeySpec writeKey()
    {
        return writeKey;
    }
}
