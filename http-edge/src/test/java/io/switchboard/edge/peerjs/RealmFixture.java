package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@link Realm} over signaling agents a test drives itself (their duty cycles and clock are the test's), and a
 * recording party to admit into it.
 */
public final class RealmFixture
{
    private RealmFixture()
    {
    }

    /** A realm with {@code context}'s rules, counting into {@code metrics}, one shard per agent. */
    public static Realm on(final PeerJsContext context, final Metrics metrics, final SignalingAgent... agents)
    {
        return new Realm(context, new PeerJsCounters(metrics), agents);
    }

    /**
     * A party of the realm that keeps what it is sent (as text), in order; any thread may send to it. Once
     * {@link #refuse}d, it takes nothing more (as a socket that cannot take a frame).
     */
    public static final class Recorder implements SignalEndpoint
    {
        public final List<String> frames = new ArrayList<>();
        private Client registration;
        private boolean refusing;

        /** From now on, it cannot take a frame. */
        public synchronized void refuse()
        {
            refusing = true;
        }

        @Override
        public synchronized boolean send(final byte[] frame, final int length)
        {
            if (refusing)
            {
                return false;
            }
            frames.add(new String(frame, 0, length, StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public void sendAndClose(final byte[] frame)
        {
            send(frame, frame.length);
        }

        @Override
        public void close(final AtomicCounter cause)
        {
        }

        @Override
        public void heartbeat()
        {
        }

        @Override
        public Client registration()
        {
            return registration;
        }

        @Override
        public void registration(final Client client)
        {
            registration = client;
        }
    }
}
