package io.switchboard.engine.ice;

/**
 * The UDT rule for unreliable packets: one counter per destination address, pre-incremented, so the first datagram
 * to an address carries 1. Receivers use it for statistics only, so a bounded direct-mapped table is enough: an
 * address that loses its slot to another simply starts again at 1.
 */
final class DestinationSequences
{
    private final long[] destinations;
    private final int[] sequences;
    private final int mask;

    DestinationSequences(final int slots)
    {
        destinations = new long[slots];
        sequences = new int[slots];
        mask = slots - 1;
    }

    int next(final long destinationFingerprint)
    {
        final long tagged = destinationFingerprint + 1;
        long h = tagged * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 31;
        final int slot = (int)h & mask;
        if (destinations[slot] != tagged)
        {
            destinations[slot] = tagged;
            sequences[slot] = 0;
        }
        final int sequence = (sequences[slot] + 1) & IceHeader.SEQUENCE_MASK;
        sequences[slot] = sequence;
        return sequence;
    }
}
