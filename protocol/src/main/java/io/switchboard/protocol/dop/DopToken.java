package io.switchboard.protocol.dop;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The dop tokens (spec 2.3): a node's local token is 16 characters from {@code [A-Za-z0-9]}; the final token joins
 * the local and the remote one, the longer cut down to the shorter's length (prefix), the smaller string first in
 * UTF-16 order, which is JavaScript's {@code <}. Both sides compute the same final token.
 */
public final class DopToken
{
    public static final int LOCAL_LENGTH = 16;
    public static final int MAX_REMOTE_LENGTH = 64;
    private static final char[] SYMBOLS =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private DopToken()
    {
    }

    public static String local()
    {
        final char[] token = new char[LOCAL_LENGTH];
        for (int i = 0; i < token.length; i++)
        {
            token[i] = SYMBOLS[RANDOM.nextInt(SYMBOLS.length)];
        }
        return new String(token);
    }

    /**
     * The final token as it travels in a text frame: a cut through a surrogate pair leaves a lone surrogate, which a
     * browser's UTF-8 carries as U+FFFD, so it is U+FFFD here too (a resume then presents the same string).
     */
    public static String unique(final String a, final String b)
    {
        final int length = Math.min(a.length(), b.length());
        final String x = a.substring(0, length);
        final String y = b.substring(0, length);
        final String joined = x.compareTo(y) < 0 ? x + y : y + x;
        final StringBuilder sent = new StringBuilder(joined.length());
        joined.codePoints().forEach(c ->
            sent.appendCodePoint(c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE ? 0xFFFD : c));
        return sent.toString();
    }

    /** A remote handshake token the server accepts (§2.12.2): 1 to 64 characters, not a dop JSON array. */
    public static boolean isAcceptable(final String token)
    {
        return !token.isEmpty() && token.length() <= MAX_REMOTE_LENGTH && token.charAt(0) != '[';
    }

    public static byte[] utf8(final String token)
    {
        return token.getBytes(StandardCharsets.UTF_8);
    }
}
