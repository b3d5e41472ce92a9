package io.switchboard.edge.tls;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The handshake counters of one TLS listener ({@code switchboard_tls_handshakes_total}): completed, and failed (the
 * connection closed or was cut before its handshake completed: a refused handshake, plain HTTP or ws to a TLS port, a
 * handshake timeout, a client gone). Shared by Undertow's listeners ({@link TlsListener}) and the PeerJS acceptor's.
 */
public record TlsHandshakes(AtomicCounter completed, AtomicCounter failed)
{
    private static final String HANDSHAKES = "switchboard_tls_handshakes_total";

    static TlsHandshakes of(final String listener, final Metrics metrics)
    {
        final String help = "TLS handshakes of a listener: completed; failed, the connection closed before its " +
            "handshake completed (a refused handshake, plain HTTP to a TLS port, a timeout, a client gone).";
        final String labels = "listener=\"" + listener + "\"";
        return new TlsHandshakes(
            metrics.counter(HANDSHAKES, labels + ",result=\"completed\"", help),
            metrics.counter(HANDSHAKES, labels + ",result=\"failed\"", help));
    }
}
