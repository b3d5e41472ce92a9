package io.switchboard.edge.tls;

import io.switchboard.engine.config.Require;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Configuration of TLS on the TCP listeners: the certificate chain and key files (both or neither), the listeners
 * that speak TLS when they are given, how often the files are checked for a renewal, and the crypto CPU budget:
 * handshakes in progress at once in total and per client host, and the threads the PeerJS port's handshakes run their
 * expensive steps on. {@link #conclude} validates.
 */
public final class TlsContext
{
    /** Every listener TLS may be asked for, by its name in the ready line. */
    public static final List<String> LISTENERS = List.of("peerjs", "metaverse", "rendezvous", "admin");
    public static final String DEFAULT_LISTENERS = "peerjs,metaverse,rendezvous";
    public static final long DEFAULT_CHECK_INTERVAL_MS = 2_000;
    public static final int DEFAULT_MAX_HANDSHAKES = 512;
    public static final int DEFAULT_MAX_HANDSHAKES_PER_HOST = 16;
    /** One thread: on a small box the handshakes take at most one core, the signaling agents keep the rest. */
    public static final int DEFAULT_HANDSHAKE_THREADS = 1;
    /** Idle TLS 1.3 connections of the PeerJS/dop port hold their record keys, not a JDK engine. */
    public static final boolean DEFAULT_RELEASE_ENGINE = true;

    private Path certFile;
    private Path keyFile;
    private String listeners = DEFAULT_LISTENERS;
    private Set<String> listenerSet;
    private long checkIntervalMs = DEFAULT_CHECK_INTERVAL_MS;
    private int maxHandshakes = DEFAULT_MAX_HANDSHAKES;
    private int maxHandshakesPerHost = DEFAULT_MAX_HANDSHAKES_PER_HOST;
    private int handshakeThreads = DEFAULT_HANDSHAKE_THREADS;
    private boolean releaseEngine = DEFAULT_RELEASE_ENGINE;

    public TlsContext conclude()
    {
        if ((certFile == null) != (keyFile == null))
        {
            throw new IllegalArgumentException(
                "--tls-cert and --tls-key go together: give both (or neither, for no TLS)");
        }
        Require.range("tls check interval ms", checkIntervalMs, 10, 3_600_000);
        Require.range("--tls-max-handshakes", maxHandshakes, 1, 1_000_000);
        Require.range("--tls-max-handshakes-per-host", maxHandshakesPerHost, 1, 1_000_000);
        Require.range("--tls-handshake-threads", handshakeThreads, 0, 256);
        final Set<String> names = new LinkedHashSet<>();
        for (final String name : listeners.split(",", -1))
        {
            final String trimmed = name.strip();
            if (trimmed.isEmpty())
            {
                continue;
            }
            if (!LISTENERS.contains(trimmed))
            {
                throw new IllegalArgumentException(
                    "--tls-listeners: unknown listener " + trimmed + " (known: " + String.join(",", LISTENERS) + ")");
            }
            names.add(trimmed);
        }
        listenerSet = Set.copyOf(names);
        return this;
    }

    /** True when a certificate and key are given. */
    public boolean enabled()
    {
        return certFile != null;
    }

    /** True when {@code listener} speaks TLS: TLS is on and the listener is one of {@link #listeners()}. */
    public boolean appliesTo(final String listener)
    {
        return enabled() && listenerSet.contains(listener);
    }

    /** PEM certificate chain, leaf first; null without TLS. */
    public Path certFile() { return certFile; }
    public TlsContext certFile(final Path value) { certFile = value; return this; }
    /** PEM private key of the leaf (PKCS#8, PKCS#1 or SEC1; unencrypted); null without TLS. */
    public Path keyFile() { return keyFile; }
    public TlsContext keyFile(final Path value) { keyFile = value; return this; }
    /** The listeners that speak TLS when it is on, after {@link #conclude}. */
    public Set<String> listeners() { return listenerSet; }
    /** Comma-separated listener names. */
    public TlsContext listeners(final String value) { listeners = value; return this; }
    /** How often the files are read for a change; a changed pair is loaded once it reads the same twice. */
    public long checkIntervalMs() { return checkIntervalMs; }
    public TlsContext checkIntervalMs(final long value) { checkIntervalMs = value; return this; }
    /** Handshakes in progress at once over every TLS listener (from accept, or the PROXY header, to done). */
    public int maxHandshakes() { return maxHandshakes; }
    public TlsContext maxHandshakes(final int value) { maxHandshakes = value; return this; }
    /** Handshakes in progress at once from one client host (a trusted proxy's own connections only count in total). */
    public int maxHandshakesPerHost() { return maxHandshakesPerHost; }
    public TlsContext maxHandshakesPerHost(final int value) { maxHandshakesPerHost = value; return this; }
    /** Threads for the PeerJS port's handshake tasks; 0: they run on the signaling agent that owns the socket. */
    public int handshakeThreads() { return handshakeThreads; }
    public TlsContext handshakeThreads(final int value) { handshakeThreads = value; return this; }

    public boolean releaseEngine() { return releaseEngine; }
    public TlsContext releaseEngine(final boolean value) { releaseEngine = value; return this; }
}
