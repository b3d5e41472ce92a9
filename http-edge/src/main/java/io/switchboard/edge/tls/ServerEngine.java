package io.switchboard.edge.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Every TLS listener's server engine (Undertow's and the PeerJS/dop port's alike, from {@link ReloadableSslContext}):
 * the JDK's engine, byte for byte, except that a TLS 1.2 client may not renegotiate. A renegotiation would be a full
 * handshake outside the handshake budget ({@link HandshakeBudget}), so once the first handshake has finished on a TLS
 * 1.2 session, a handshake record from the client fails the connection before the JDK's engine reads it (TLS 1.2
 * sends a record's type in clear; TLS 1.3 has no renegotiation). Used as the JDK's engine is: by one thread at a time.
 */
final class ServerEngine extends SSLEngine
{
    /** TLS record: content type, legacy version (2), length (2). */
    private static final int RECORD_HEADER_BYTES = 5;
    private static final byte HANDSHAKE_RECORD = 22;

    private final SSLEngine jdk;
    /** The first handshake finished on a TLS 1.2 session: any handshake record now is a renegotiation. */
    private boolean tls12Established;

    ServerEngine(final SSLEngine jdk)
    {
        super(jdk.getPeerHost(), jdk.getPeerPort());
        this.jdk = jdk;
    }

    /** The JDK's own engine behind {@code engine}, for what reads its internals ({@link ReleasedTls#take}). */
    static SSLEngine jdk(final SSLEngine engine)
    {
        return engine instanceof ServerEngine server ? server.jdk : engine;
    }

    @Override
    public SSLEngineResult wrap(final ByteBuffer src, final ByteBuffer dst) throws SSLException
    {
        return seen(jdk.wrap(src, dst));
    }

    @Override
    public SSLEngineResult wrap(final ByteBuffer[] srcs, final ByteBuffer dst) throws SSLException
    {
        return seen(jdk.wrap(srcs, dst));
    }

    @Override
    public SSLEngineResult wrap(final ByteBuffer[] srcs, final int offset, final int length, final ByteBuffer dst)
        throws SSLException
    {
        return seen(jdk.wrap(srcs, offset, length, dst));
    }

    @Override
    public SSLEngineResult unwrap(final ByteBuffer src, final ByteBuffer dst) throws SSLException
    {
        refuseRenegotiation(src);
        return seen(jdk.unwrap(src, dst));
    }

    @Override
    public SSLEngineResult unwrap(final ByteBuffer src, final ByteBuffer[] dsts) throws SSLException
    {
        refuseRenegotiation(src);
        return seen(jdk.unwrap(src, dsts));
    }

    @Override
    public SSLEngineResult unwrap(final ByteBuffer src, final ByteBuffer[] dsts, final int offset, final int length)
        throws SSLException
    {
        refuseRenegotiation(src);
        return seen(jdk.unwrap(src, dsts, offset, length));
    }

    /** Notes the end of the first handshake of a TLS 1.2 session. */
    private SSLEngineResult seen(final SSLEngineResult result)
    {
        if (!tls12Established && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED &&
            "TLSv1.2".equals(jdk.getSession().getProtocol()))
        {
            tls12Established = true;
        }
        return result;
    }

    /** A handshake record among the whole records of {@code src}, after the first handshake of TLS 1.2, is refused. */
    private void refuseRenegotiation(final ByteBuffer src) throws SSLException
    {
        if (!tls12Established)
        {
            return;
        }
        int at = src.position();
        while (at + RECORD_HEADER_BYTES <= src.limit())
        {
            if (src.get(at) == HANDSHAKE_RECORD)
            {
                throw new SSLException("TLS 1.2 renegotiation refused");
            }
            at += RECORD_HEADER_BYTES + ((src.get(at + 3) & 0xFF) << 8 | src.get(at + 4) & 0xFF);
        }
    }

    @Override
    public Runnable getDelegatedTask()
    {
        return jdk.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException
    {
        jdk.closeInbound();
    }

    @Override
    public boolean isInboundDone()
    {
        return jdk.isInboundDone();
    }

    @Override
    public void closeOutbound()
    {
        jdk.closeOutbound();
    }

    @Override
    public boolean isOutboundDone()
    {
        return jdk.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites()
    {
        return jdk.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites()
    {
        return jdk.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(final String[] suites)
    {
        jdk.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols()
    {
        return jdk.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols()
    {
        return jdk.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(final String[] protocols)
    {
        jdk.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession()
    {
        return jdk.getSession();
    }

    @Override
    public SSLSession getHandshakeSession()
    {
        return jdk.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException
    {
        jdk.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus()
    {
        return jdk.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(final boolean mode)
    {
        jdk.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode()
    {
        return jdk.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(final boolean need)
    {
        jdk.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth()
    {
        return jdk.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(final boolean want)
    {
        jdk.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth()
    {
        return jdk.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(final boolean flag)
    {
        jdk.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation()
    {
        return jdk.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters()
    {
        return jdk.getSSLParameters();
    }

    @Override
    public void setSSLParameters(final SSLParameters parameters)
    {
        jdk.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol()
    {
        return jdk.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol()
    {
        return jdk.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(final BiFunction<SSLEngine, List<String>, String> selector)
    {
        jdk.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector()
    {
        return jdk.getHandshakeApplicationProtocolSelector();
    }

    @Override
    public String toString()
    {
        return jdk.toString();
    }
}
