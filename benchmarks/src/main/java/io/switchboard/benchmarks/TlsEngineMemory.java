package io.switchboard.benchmarks;

import org.conscrypt.Conscrypt;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one idle TLS 1.3 server engine costs, per provider: {@code ENGINES} server engines (the JDK's, or Conscrypt's
 * over BoringSSL) each shake hands in memory with a JDK client and exchange one message each way, as a wss socket that
 * said hello; then, the clients dropped, the growth of the live heap (after full GCs) and of the process's resident
 * memory (VmRSS: what BoringSSL mallocs outside the JVM; the heap is pre-touched, so its growth is not in it), each
 * per engine. Run once per provider, each in its own JVM, with {@code -Xms} = {@code -Xmx} and
 * {@code -XX:+AlwaysPreTouch}:
 * <pre>java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar \
 *     io.switchboard.benchmarks.TlsEngineMemory jdk|conscrypt ENGINES server.p12 PASSWORD</pre>
 */
public final class TlsEngineMemory
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int WARMUP_ENGINES = 500;
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_FLIGHTS = 50;

    private TlsEngineMemory()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String provider = args[0];
        final int engines = Integer.parseInt(args[1]);
        final SSLContext server = server(provider, Path.of(args[2]), args[3].toCharArray());
        final SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new AnyServer()}, null);
        client.getClientSessionContext().setSessionCacheSize(1); // the clients' sessions are not the server's cost

        for (int i = 0; i < WARMUP_ENGINES; i++)
        {
            handshake(server, client);
        }
        final long heapBefore = liveHeap();
        final long rssBefore = rssBytes();
        final List<SSLEngine> idle = new ArrayList<>(engines);
        for (int i = 0; i < engines; i++)
        {
            idle.add(handshake(server, client));
        }
        final long heap = (liveHeap() - heapBefore) / engines;
        final long rss = (rssBytes() - rssBefore) / engines;
        System.out.println(String.format(Locale.ROOT,
            "tls-engine-memory provider=%s protocol=%s cipher=%s engines=%d heap_per_engine_b=%d " +
                "rss_per_engine_b=%d memory_per_engine_b=%d",
            provider, idle.get(0).getSession().getProtocol(), idle.get(0).getSession().getCipherSuite(), engines,
            heap, rss, heap + rss));
    }

    private static SSLContext server(final String provider, final Path store, final char[] password)
        throws Exception
    {
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store))
        {
            keys.load(in, password);
        }
        final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        final SSLContext context = switch (provider)
        {
            case "jdk" -> SSLContext.getInstance("TLS");
            case "conscrypt" -> SSLContext.getInstance("TLS", Conscrypt.newProvider());
            default -> throw new IllegalArgumentException("provider jdk or conscrypt: " + provider);
        };
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    /** A server engine after its handshake with a new client and one message each way. */
    private static SSLEngine handshake(final SSLContext serverContext, final SSLContext clientContext)
        throws Exception
    {
        final SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        final SSLParameters parameters = server.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        server.setSSLParameters(parameters);
        final SSLEngine client = clientContext.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        final ByteBuffer toServer = ByteBuffer.allocate(BUFFER_BYTES);
        final ByteBuffer toClient = ByteBuffer.allocate(BUFFER_BYTES);
        final ByteBuffer plain = ByteBuffer.allocate(BUFFER_BYTES);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < MAX_FLIGHTS && !(idle(client) && idle(server)); i++)
        {
            step(client, toClient, toServer, plain);
            step(server, toServer, toClient, plain);
        }
        step(client, toClient, toServer, plain); // a ticket sent with the server's last flight
        client.wrap(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), toServer);
        step(server, toServer, toClient, plain);
        server.wrap(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)), toClient);
        step(client, toClient, toServer, plain);
        if (!idle(server))
        {
            throw new IllegalStateException("server engine still " + server.getHandshakeStatus());
        }
        return server;
    }

    private static boolean idle(final SSLEngine engine)
    {
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    /** {@code engine} reads what {@code in} holds and writes what it has to say into {@code out}. */
    private static void step(final SSLEngine engine, final ByteBuffer in, final ByteBuffer out, final ByteBuffer plain)
        throws Exception
    {
        in.flip();
        while (in.hasRemaining())
        {
            final SSLEngineResult result = engine.unwrap(in, plain.clear());
            runTasks(engine);
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0)
            {
                break;
            }
        }
        in.compact();
        while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP)
        {
            final SSLEngineResult result = engine.wrap(EMPTY, out);
            runTasks(engine);
            if (result.bytesProduced() == 0)
            {
                break;
            }
        }
    }

    private static void runTasks(final SSLEngine engine)
    {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null)
        {
            task.run();
        }
    }

    private static long liveHeap() throws InterruptedException
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Thread.sleep(200);
        }
        final Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long rssBytes() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    /** The clients trust any server: what is measured is the server's engine, not a check. */
    private static final class AnyServer implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
            throw new UnsupportedOperationException("a client only");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}
