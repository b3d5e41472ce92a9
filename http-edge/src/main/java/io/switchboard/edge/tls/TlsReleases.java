package io.switchboard.edge.tls;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;

/**
 * Whether and how the TLS connections of the PeerJS/dop port let their JDK engine go once the handshake is over
 * ({@code --tls-release-engine}): the decision for one engine ({@link #take}) and its counters,
 * {@code switchboard_tls_released_total{result}} (released; kept: TLS 1.2 or ChaCha20; unsupported: this JDK's engine
 * is laid out otherwise, logged once) and {@code switchboard_tls_released_closes_total{reason}} (how released
 * connections ended other than cleanly: bad_record_mac, alert, unexpected). Shared by the listener's agents: counters
 * only.
 */
public final class TlsReleases
{
    private static final Logger LOG = LoggerFactory.getLogger(TlsReleases.class);
    private static final String RELEASED = "switchboard_tls_released_total";
    private static final String CLOSES = "switchboard_tls_released_closes_total";

    private final boolean enabled;
    private final AtomicCounter released;
    private final AtomicCounter kept;
    private final AtomicCounter unsupported;
    private final AtomicCounter badRecordMac;
    private final AtomicCounter alert;
    private final AtomicCounter unexpected;
    private volatile boolean logged;

    TlsReleases(final boolean enabled, final Metrics metrics)
    {
        this.enabled = enabled;
        final String help = "TLS connections of the PeerJS/dop port after their handshake (--tls-release-engine): " +
            "released, the JDK engine let go and the TLS 1.3 records carried on by the appliance; kept, the engine " +
            "kept (TLS 1.2 or ChaCha20); unsupported, kept because this JDK's engine cannot be read.";
        this.released = metrics.counter(RELEASED, "result=\"released\"", help);
        this.kept = metrics.counter(RELEASED, "result=\"kept\"", help);
        this.unsupported = metrics.counter(RELEASED, "result=\"unsupported\"", help);
        final String closes = "Released TLS connections closed on a fault: bad_record_mac, a record that did not " +
            "authenticate; alert, the client's fatal alert; unexpected, a record TLS 1.3 does not allow there.";
        this.badRecordMac = metrics.counter(CLOSES, "reason=\"bad_record_mac\"", closes);
        this.alert = metrics.counter(CLOSES, "reason=\"alert\"", closes);
        this.unexpected = metrics.counter(CLOSES, "reason=\"unexpected\"", closes);
    }

    /** Outcome of {@link #take}: keep the engine for good. */
    public static final ReleasedTls NEVER = ReleasedTls.none();

    /**
     * Lets {@code engine} go when it can: its state, counted; null when it is busy now (try again later);
     * {@link #NEVER} when it is to be kept for good (counted: release off, TLS 1.2, ChaCha20, this JDK).
     */
    public ReleasedTls take(final SSLEngine engine)
    {
        if (!enabled)
        {
            return NEVER;
        }
        if (!ReleasedTls.releasable(engine))
        {
            kept.increment();
            return NEVER;
        }
        try
        {
            final ReleasedTls state = ReleasedTls.take(engine);
            if (state != null)
            {
                released.increment();
            }
            return state;
        }
        catch (final ReleasedTls.Unsupported ex)
        {
            unsupported.increment();
            if (!logged)
            {
                logged = true;
                LOG.warn("TLS engines are kept (--tls-release-engine has no effect on this JDK): {}", ex.getMessage());
            }
            return NEVER;
        }
    }

    /** A released connection ends on {@code fault}: counted by kind. */
    public void closedOn(final ReleasedTls.Alert fault)
    {
        if (fault.description() == ReleasedTls.BAD_RECORD_MAC)
        {
            badRecordMac.increment();
        }
        else if (fault.description() < 0)
        {
            alert.increment();
        }
        else
        {
            unexpected.increment();
        }
    }
}
