package io.switchboard.edge.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The little DER (X.690) that turning a PKCS#1 or SEC1 key into PKCS#8 needs: walking the elements of a SEQUENCE
 * and writing one. Anything malformed (a length past the end, an indefinite length) is refused.
 */
final class Der
{
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int SEQUENCE = 0x30;
    /** {@code [0]} constructed: SEC1's optional curve parameters. */
    static final int CONTEXT_0 = 0xA0;

    private Der()
    {
    }

    /** One element of a DER encoding: the whole element is {@code bytes[start, end)}, its value from {@code valueStart}. */
    record Element(byte[] bytes, int tag, int start, int valueStart, int end)
    {
        byte[] encoded()
        {
            return Arrays.copyOfRange(bytes, start, end);
        }

        byte[] value()
        {
            return Arrays.copyOfRange(bytes, valueStart, end);
        }

        /** The first element inside this constructed one. */
        Element firstChild()
        {
            return read(bytes, valueStart, end);
        }

        /** The element after this one inside {@code parent}, or null at its end. */
        Element nextIn(final Element parent)
        {
            return end == parent.end ? null : read(bytes, end, parent.end);
        }
    }

    /** The element at {@code offset}, which must end by {@code limit}. */
    static Element read(final byte[] bytes, final int offset, final int limit)
    {
        if (offset + 2 > limit)
        {
            throw new IllegalArgumentException("DER: truncated element at " + offset);
        }
        final int tag = bytes[offset] & 0xFF;
        int position = offset + 1;
        final int first = bytes[position++] & 0xFF;
        long length;
        if (first < 0x80)
        {
            length = first;
        }
        else
        {
            final int count = first & 0x7F;
            if (count == 0 || count > 4 || position + count > limit)
            {
                throw new IllegalArgumentException("DER: bad length at " + offset);
            }
            length = 0;
            for (int i = 0; i < count; i++)
            {
                length = (length << 8) | (bytes[position++] & 0xFF);
            }
        }
        if (length > limit - position)
        {
            throw new IllegalArgumentException("DER: element at " + offset + " runs past its end");
        }
        return new Element(bytes, tag, offset, position, position + (int)length);
    }

    /** The single element that is all of {@code bytes}, of the expected tag. */
    static Element whole(final byte[] bytes, final int tag)
    {
        final Element element = read(bytes, 0, bytes.length);
        if (element.end() != bytes.length || element.tag() != tag)
        {
            throw new IllegalArgumentException("DER: not a single element of tag " + Integer.toHexString(tag));
        }
        return element;
    }

    /** {@code tag}, the DER length of {@code parts} together, then the parts. */
    static byte[] element(final int tag, final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80)
        {
            out.write(length);
        }
        else
        {
            final int count = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | count);
            for (int i = count - 1; i >= 0; i--)
            {
                out.write(length >>> (8 * i));
            }
        }
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
