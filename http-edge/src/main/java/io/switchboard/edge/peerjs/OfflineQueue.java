package io.switchboard.edge.peerjs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Messages for an id that is not connected, in arrival order (spec 3.4). The whole queue expires at once, a fixed
 * time after its first message; it is its own deadline. Guarded by its slot's monitor.
 */
final class OfflineQueue extends DeadlineWheel.Deadline
{
    private final Realm realm;
    final IdSlot slot;
    private final List<String> sources = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();

    OfflineQueue(final Realm realm, final IdSlot slot)
    {
        this.realm = realm;
        this.slot = slot;
    }

    void add(final String src, final byte[] frame)
    {
        sources.add(src);
        frames.add(frame);
    }

    int size()
    {
        return frames.size();
    }

    List<byte[]> frames()
    {
        return frames;
    }

    /** Each sender once, in the order of its first message. */
    Set<String> distinctSources()
    {
        return new LinkedHashSet<>(sources);
    }

    @Override
    long expire(final long nowMs)
    {
        realm.expire(this);
        return DeadlineWheel.NONE;
    }
}
