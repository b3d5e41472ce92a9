package io.switchboard.edge.tls;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.Undertow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.Xnio;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ServerTls#newEngine()}, what an acceptor of our own drives: a server engine offering TLS 1.3 and 1.2 and
 * ALPN http/1.1 with the current certificate, shaking hands in memory with a stock client engine.
 */
class ServerTlsTest
{
    @TempDir
    Path dir;

    @Test
    void aNewEngineIsAServerWithOurProtocolsAndTheCurrentCertificate() throws Exception
    {
        final TestPki pki = TestPki.ca("RSA");
        final TestPki.Issued first = pki.server("engine.test", "RSA");
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(first.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.traditional(first.keys().getPrivate()));
        final Metrics metrics = new Metrics();
        try (ServerTls tls = ServerTls.open(new TlsContext().certFile(cert).keyFile(key).listeners("metaverse")
            .conclude(), metrics, new Liveness(metrics).register("switchboard-tls-reload")))
        {
            final SSLEngine engine = tls.newEngine();
            assertFalse(engine.getUseClientMode());
            assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, engine.getEnabledProtocols());
            assertArrayEquals(new String[] {"http/1.1"}, engine.getSSLParameters().getApplicationProtocols());

            assertEquals(first.certificate(), handshake(engine, pki.client()));
            assertEquals("http/1.1", engine.getApplicationProtocol());

            final TestPki.Issued next = pki.server("next.test", "EC");
            tls.use(new CertifiedKey(new X509Certificate[] {next.certificate()}, next.keys().getPrivate()));
            assertEquals(next.certificate(), handshake(tls.newEngine(), pki.client()));
        }
    }

    @Test
    void anUndertowConnectionThatCannotBeWrappedInTlsGivesItsPlaceInTheBudgetBack() throws Exception
    {
        final TestPki pki = TestPki.ca("EC");
        final TestPki.Issued issued = pki.server("budget.test", "EC");
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(issued.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(issued.keys().getPrivate()));
        final Metrics metrics = new Metrics();
        try (ServerTls tls = ServerTls.open(new TlsContext().certFile(cert).keyFile(key).listeners("metaverse")
            .conclude(), metrics, new Liveness(metrics).register("switchboard-tls-reload"));
            TlsListener listener = tls.listener("metaverse", Xnio.getInstance(Undertow.class.getClassLoader())))
        {
            // No connection to wrap: XNIO fails after the handshake took its place.
            assertThrows(RuntimeException.class, () -> listener.secure(null, InetAddress.getLoopbackAddress()));
            assertEquals(0, value(metrics, "switchboard_tls_handshakes_in_progress"), "the place came back");
            assertEquals(1, value(metrics, "switchboard_tls_handshakes_total{listener=\"metaverse\",result=\"failed\"}"));
        }
    }

    private static long value(final Metrics metrics, final String series)
    {
        final long[] value = {-1};
        metrics.reader().forEach((id, type, keyBuffer, label) ->
        {
            if (label.equals(series))
            {
                value[0] = metrics.reader().getCounterValue(id);
            }
        });
        return value[0];
    }

    /** Shakes hands in memory; the certificate the client was shown. */
    private static X509Certificate handshake(final SSLEngine server, final SSLContext trusting) throws Exception
    {
        final SSLEngine client = trusting.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        final SSLParameters parameters = client.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        client.setSSLParameters(parameters);
        final ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        final ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        final ByteBuffer plain = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100 && !(idle(client) && idle(server)); round++)
        {
            step(client, toClient, toServer, plain);
            step(server, toServer, toClient, plain);
        }
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, client.getHandshakeStatus());
        return (X509Certificate)client.getSession().getPeerCertificates()[0];
    }

    private static boolean idle(final SSLEngine engine)
    {
        return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void step(final SSLEngine engine, final ByteBuffer in, final ByteBuffer out, final ByteBuffer plain)
        throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            switch (engine.getHandshakeStatus())
            {
                case NEED_TASK:
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask())
                    {
                        task.run();
                    }
                    break;
                case NEED_WRAP:
                    engine.wrap(ByteBuffer.allocate(0), out);
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    in.flip();
                    final int before = in.remaining();
                    engine.unwrap(in, plain);
                    final boolean consumed = in.remaining() != before;
                    in.compact();
                    if (!consumed)
                    {
                        return;
                    }
                    break;
                default:
                    return;
            }
        }
    }
}
