package io.switchboard.edge.dop;

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

    public static String unique(final String a, final String b)
    {
        final int length = Math.min(a.length(), b.length());
        final String x = a.substring(0, length);
        final String y = b.substring(0, length);
        return x.compareTo(y) < 0 ? x + y : y + x;
    }

    /** A remote handshake token the server accepts (§2.12.2): 1 to 64 characters, not a dop JSON array. */
    public static boolean isAcceptable(final String token)
    {
        return !token.isEmpty() && token.length() <= MAX_REMOTE_LENGTH && token.charAt(0) != '[';
    }

    static byte[] utf8(final String token)
    {
        return token.getBytes(StandardCharsets.UTF_8);
    }
}
