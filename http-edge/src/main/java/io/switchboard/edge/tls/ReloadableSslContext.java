package io.switchboard.edge.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * An {@link SSLContext} whose engines come from whichever context holds the current certificate, each set up as a
 * server: TLS 1.3 and 1.2 (without client renegotiation), ALPN {@code http/1.1}. Undertow is handed this one context
 * at start; a reload swaps what is behind it, so the next handshake uses the new certificate and the connections
 * already open keep theirs.
 */
final class ReloadableSslContext extends SSLContextSpi
{
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    static final String[] APPLICATION_PROTOCOLS = {"http/1.1"};

    private final Supplier<SSLContext> current;

    private ReloadableSslContext(final Supplier<SSLContext> current)
    {
        this.current = current;
    }

    /** A context over {@code current}, reporting {@code first}'s provider. */
    static SSLContext over(final Supplier<SSLContext> current, final SSLContext first)
    {
        return new SSLContext(new ReloadableSslContext(current), first.getProvider(), first.getProtocol())
        {
        };
    }

    /**
     * {@code engine} as a server: our protocols and ALPN, the server's cipher order, and no TLS 1.2 renegotiation
     * ({@link ServerEngine}); every listener's engines are made here.
     */
    static SSLEngine server(final SSLEngine engine)
    {
        engine.setUseClientMode(false);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setApplicationProtocols(APPLICATION_PROTOCOLS);
        parameters.setUseCipherSuitesOrder(true);
        engine.setSSLParameters(parameters);
        return new ServerEngine(engine);
    }

    @Override
    protected void engineInit(
        final KeyManager[] keys, final TrustManager[] trust, final SecureRandom random)
        throws KeyManagementException
    {
        throw new KeyManagementException("initialized with its certificate already");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine()
    {
        return server(current.get().createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(final String host, final int port)
    {
        return server(current.get().createSSLEngine(host, port));
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory()
    {
        throw new UnsupportedOperationException("a server's engines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory()
    {
        throw new UnsupportedOperationException("a server's engines only");
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext()
    {
        return current.get().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext()
    {
        return current.get().getClientSessionContext();
    }
}
