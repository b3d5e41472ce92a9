package io.switchboard.edge.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The blocks of a PEM file (RFC 7468): {@code -----BEGIN LABEL-----}, base64, {@code -----END LABEL-----}. Text
 * outside the blocks (OpenSSL's "Bag Attributes", a human-readable dump) is skipped, as the tools that write it
 * expect. A block without its end, or whose body is not base64, is refused with the reason.
 */
final class Pem
{
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    /** One block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and its DER bytes. */
    record Block(String label, byte[] der)
    {
    }

    private Pem()
    {
    }

    /** Every block in {@code text}, in file order. */
    static List<Block> blocks(final byte[] text)
    {
        final List<Block> blocks = new ArrayList<>();
        final String[] lines = new String(text, StandardCharsets.US_ASCII).split("\r?\n|\r");
        String label = null;
        final StringBuilder body = new StringBuilder();
        for (final String raw : lines)
        {
            final String line = raw.strip();
            if (label == null)
            {
                if (line.startsWith(BEGIN) && line.endsWith(DASHES) && line.length() > BEGIN.length() + DASHES.length())
                {
                    label = line.substring(BEGIN.length(), line.length() - DASHES.length());
                    body.setLength(0);
                }
            }
            else if (line.startsWith(END))
            {
                if (!line.equals(END + label + DASHES))
                {
                    throw new IllegalArgumentException("PEM block " + label + " ends with " + line);
                }
                blocks.add(new Block(label, decode(label, body)));
                label = null;
            }
            else if (line.indexOf(':') >= 0)
            {
                throw new IllegalArgumentException("PEM block " + label + " has headers (" + line +
                    "): an encrypted key? decrypt it first (openssl pkey -in KEY -out PLAIN)");
            }
            else
            {
                body.append(line);
            }
        }
        if (label != null)
        {
            throw new IllegalArgumentException("PEM block " + label + " has no END line");
        }
        return blocks;
    }

    private static byte[] decode(final String label, final CharSequence body)
    {
        try
        {
            final byte[] der = Base64.getDecoder().decode(body.toString());
            if (der.length == 0)
            {
                throw new IllegalArgumentException("PEM block " + label + " is empty");
            }
            return der;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("PEM block " + label + " is not base64", ex);
        }
    }
}
