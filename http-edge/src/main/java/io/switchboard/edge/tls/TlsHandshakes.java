package io.switchboard.edge.tls;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;

/**
 * The handshakes of one TLS listener ({@code switchboard_tls_handshakes_total}): each begins by taking a place in the
 * appliance's {@link HandshakeBudget} (refused, before any crypto, when its client host or everyone holds the cap) and
 * ends once, completed or failed (the connection closed or was cut before its handshake completed: a refused
 * handshake, plain HTTP or ws to a TLS port, a handshake timeout, a client gone), giving its place back. Shared by
 * Undertow's listeners ({@link TlsListener}) and the PeerJS acceptor's. Thread-safe.
 */
public final class TlsHandshakes
{
    private static final String HANDSHAKES = "switchboard_tls_handshakes_total";
    private static final String SKIPPED = "switchboard_tls_handshake_crypto_skipped_total";

    private final AtomicCounter completed;
    private final AtomicCounter failed;
    private final AtomicCounter refused;
    private final AtomicCounter skipped;
    private final HandshakeBudget budget;

    private TlsHandshakes(
        final AtomicCounter completed, final AtomicCounter failed, final AtomicCounter refused,
        final AtomicCounter skipped, final HandshakeBudget budget)
    {
        this.skipped = skipped;
        this.completed = completed;
        this.failed = failed;
        this.refused = refused;
        this.budget = budget;
    }

    static TlsHandshakes of(final String listener, final Metrics metrics, final HandshakeBudget budget)
    {
        final String help = "TLS handshakes of a listener: completed; failed, the connection closed before its " +
            "handshake completed (a refused handshake, plain HTTP to a TLS port, a timeout, a client gone); refused, " +
            "closed before any crypto because its client host held --tls-max-handshakes-per-host or all listeners " +
            "held --tls-max-handshakes.";
        final String labels = "listener=\"" + listener + "\"";
        return new TlsHandshakes(
            metrics.counter(HANDSHAKES, labels + ",result=\"completed\"", help),
            metrics.counter(HANDSHAKES, labels + ",result=\"failed\"", help),
            metrics.counter(HANDSHAKES, labels + ",result=\"refused\"", help),
            metrics.counter(SKIPPED, labels, "TLS handshakes cut (a timeout, a client gone) while their crypto " +
                "waited for a handshake thread: it was not done. Under a CPU shortage, the work the handshake " +
                "threads did not spend on connections that were gone already."),
            budget);
    }

    /** Handshakes that completed. */
    public AtomicCounter completed()
    {
        return completed;
    }

    /** Handshakes that failed: the connection closed first. */
    public AtomicCounter failed()
    {
        return failed;
    }

    /** Handshakes cut while their crypto waited for a handshake thread, which then skipped it. */
    public AtomicCounter skipped()
    {
        return skipped;
    }

    /** Connections refused by the handshake budget, before any crypto. */
    public AtomicCounter refused()
    {
        return refused;
    }

    /**
     * A handshake of {@code client} begins (null: a trusted proxy's own connection, whose clients are not known yet).
     *
     * @return the handshake, holding its place until it ends; null when it is refused (counted): the caller closes the
     * connection without a byte of TLS
     */
    public Handshake begin(final InetAddress client)
    {
        if (!budget.tryAcquire(client))
        {
            refused.increment();
            return null;
        }
        return new Handshake(client);
    }

    /** One connection's handshake, holding its place in the budget until it is counted completed or failed, once. */
    public final class Handshake
    {
        private static final VarHandle ENDED;

        static
        {
            try
            {
                ENDED = MethodHandles.lookup().findVarHandle(Handshake.class, "ended", boolean.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        private final InetAddress client;
        @SuppressWarnings("unused") // through ENDED
        private volatile boolean ended;

        private Handshake(final InetAddress client)
        {
            this.client = client;
        }

        /** The handshake completed (again is nothing). */
        public void completed()
        {
            end(TlsHandshakes.this.completed);
        }

        /** The handshake was cut before a handshake thread did its crypto, which was skipped (counted). */
        public void cryptoSkipped()
        {
            skipped.increment();
        }

        /** The connection closed; if its handshake had not completed, it failed. */
        public void failed()
        {
            end(TlsHandshakes.this.failed);
        }

        private void end(final AtomicCounter result)
        {
            if (ENDED.compareAndSet(this, false, true))
            {
                result.increment();
                budget.release(client);
            }
        }
    }
}
