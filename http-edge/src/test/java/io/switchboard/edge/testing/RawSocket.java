package io.switchboard.edge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A plain JDK WebSocket that records every text message and the close code, for asserting exact frames. */
public final class RawSocket implements WebSocket.Listener
{
    public static final long WAIT_MS = 5_000;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final LinkedBlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    private WebSocket webSocket;

    public static RawSocket open(final URI uri)
    {
        return open(uri, CLIENT);
    }

    /** A socket to {@code uri} made by {@code client} (for wss, one trusting the server's CA). */
    public static RawSocket open(final URI uri, final HttpClient client)
    {
        final RawSocket socket = new RawSocket();
        socket.webSocket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, socket).orTimeout(10, TimeUnit.SECONDS).join();
        return socket;
    }

    public void send(final String text)
    {
        webSocket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Sends unless the server has closed the socket (a send racing the close is lost silently). */
    public void sendIfOpen(final String text)
    {
        if (!isClosed())
        {
            webSocket.sendText(text, true).exceptionally(error -> null).orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /**
     * Pings and waits for the pong: the server handles a socket's frames in order, so everything sent before has
     * been handled when this returns.
     */
    public void roundTrip()
    {
        webSocket.sendPing(ByteBuffer.wrap(new byte[] {'r', 't'})).orTimeout(10, TimeUnit.SECONDS).join();
        try
        {
            assertNotNull(pongs.poll(WAIT_MS, TimeUnit.MILLISECONDS), "no pong within " + WAIT_MS + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public void sendBinary(final byte[] bytes)
    {
        webSocket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The next message, or fails after {@link #WAIT_MS}. */
    public String next()
    {
        try
        {
            final String message = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(message, "no message within " + WAIT_MS + " ms");
            return message;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    public void expect(final String message)
    {
        assertEquals(message, next());
    }

    /** Asserts that nothing arrives for {@code ms}. */
    public void expectSilence(final long ms)
    {
        try
        {
            assertNull(messages.poll(ms, TimeUnit.MILLISECONDS));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** The close code the server sent (1005 for an empty close frame), waiting up to {@code ms}. */
    public int closeCode(final long ms)
    {
        return closeCode.orTimeout(ms, TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed()
    {
        return closeCode.isDone();
    }

    public void close()
    {
        webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(10, TimeUnit.SECONDS).join();
    }

    public void abort()
    {
        webSocket.abort();
    }

    @Override
    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
    {
        partial.append(data);
        if (last)
        {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(final WebSocket ws, final ByteBuffer message)
    {
        pongs.add(message);
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket ws, final int statusCode, final String reason)
    {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(final WebSocket ws, final Throwable error)
    {
        closeCode.completeExceptionally(error);
    }
}
