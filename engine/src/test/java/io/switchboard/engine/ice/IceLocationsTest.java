package io.switchboard.engine.ice;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.switchboard.engine.ice.IceWireVectors.DOMAIN_SOCKETS;
import static org.junit.jupiter.api.Assertions.*;

/** The locations table against a plain map, through many adds and removes (the index's backward shift included). */
class IceLocationsTest
{
    @Test
    void agreesWithAMapThroughRandomAddsAndRemoves()
    {
        final IceLocations locations = new IceLocations(64);
        final Map<Long, Integer> expected = new HashMap<>();
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        final Random random = new Random(16);
        for (int step = 0; step < 200_000; step++)
        {
            // Few distinct ids so adds and removes collide often and clusters form in the index.
            final long id = random.nextInt(96);
            final int entry = locations.find(id >>> 3, id);
            assertEquals(expected.containsKey(id), entry != IceLocations.NONE, "step " + step);
            if (entry != IceLocations.NONE)
            {
                assertEquals(expected.get(id), locations.holder(entry));
                assertEquals(id, locations.lsb(entry));
                if (random.nextBoolean())
                {
                    locations.remove(entry);
                    expected.remove(id);
                }
            }
            else
            {
                final int added = locations.findOrAdd(id >>> 3, id);
                if (expected.size() == 64)
                {
                    assertEquals(IceLocations.NONE, added, "full");
                    continue;
                }
                final int holder = random.nextInt(3);
                locations.set(added, holder, step, 0, sockets, 0, sockets.capacity());
                expected.put(id, holder);
            }
            assertEquals(expected.size(), locations.size());
        }
        assertTrue(locations.highWater() <= 64, "freed entries are reused");
    }

    @Test
    void keepsTheSocketsItWasGiven()
    {
        final IceLocations locations = new IceLocations(16);
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        final int entry = locations.findOrAdd(1, 2);
        locations.set(entry, 2, 77, 3, sockets, 0, sockets.capacity());
        assertTrue(locations.sameSockets(entry, sockets, 0, sockets.capacity()));
        final byte[] copy = new byte[locations.socketsLength(entry)];
        locations.buffer().getBytes(locations.socketsOffset(entry), copy);
        assertArrayEquals(DOMAIN_SOCKETS, copy);
        assertEquals(77, locations.since(entry));
        assertEquals(3, locations.generation(entry));
        final UnsafeBuffer other = new UnsafeBuffer(DOMAIN_SOCKETS.clone());
        other.putByte(3, (byte)1);
        assertFalse(locations.sameSockets(entry, other, 0, other.capacity()));
    }
}
