package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Messages for an id that is not connected, in arrival order (spec 3.4). The whole queue expires at once, a fixed
 * time after its first message: it is its own timer on the wheel of the agent that owns the id, and touched by that
 * agent's thread only.
 */
final class OfflineQueue implements SignalingAgent.Timer
{
    static final long NO_TIMER = -1;

    private final RealmShard shard;
    final IdSlot slot;
    private final List<String> sources = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private final List<MessageType> types = new ArrayList<>();
    /** Its expiry on the owning agent's wheel, or {@link #NO_TIMER}. */
    long timer = NO_TIMER;

    OfflineQueue(final RealmShard shard, final IdSlot slot)
    {
        this.shard = shard;
        this.slot = slot;
    }

    void add(final MessageType type, final String src, final byte[] frame)
    {
        types.add(type);
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

    /** The sender of the {@code i}th frame. */
    String source(final int i)
    {
        return sources.get(i);
    }

    MessageType type(final int i)
    {
        return types.get(i);
    }

    /** Each sender once, in the order of its first message. */
    Set<String> distinctSources()
    {
        return new LinkedHashSet<>(sources);
    }

    @Override
    public void onDeadline(final long nowMs)
    {
        timer = NO_TIMER;
        shard.expire(this);
    }
}
