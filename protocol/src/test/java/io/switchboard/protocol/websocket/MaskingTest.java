package io.switchboard.protocol.websocket;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskingTest
{
    @Test
    void unmaskingEightAtATimeEqualsTheBytewiseRule()
    {
        final Random random = new Random(7);
        for (int length = 0; length < 70; length++)
        {
            for (int offset = 0; offset < 5; offset++)
            {
                final byte[] payload = new byte[offset + length + 3];
                random.nextBytes(payload);
                final int mask = random.nextInt();
                final byte[] expected = payload.clone();
                for (int i = 0; i < length; i++)
                {
                    expected[offset + i] ^= (byte)(mask >>> (24 - 8 * (i % 4)));
                }
                Masking.unmask(payload, offset, length, mask);
                assertArrayEquals(expected, payload, "length " + length + " offset " + offset);
            }
        }
    }

    @Test
    void rfcMaskingExampleUnmasksToHello()
    {
        // RFC 6455 §5.7: a masked "Hello" with key 37 fa 21 3d.
        final byte[] masked = {0x7f, (byte)0x9f, 0x4d, 0x51, 0x58};
        Masking.unmask(masked, 0, masked.length, 0x37fa213d);
        assertEquals("Hello", new String(masked, StandardCharsets.US_ASCII));
    }
}
