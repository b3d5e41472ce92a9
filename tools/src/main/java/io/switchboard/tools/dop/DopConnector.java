package io.switchboard.tools.dop;

import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a dop node (spec 2.5 with the §2.12 recommendations) over the JDK's WebSocket: the token
 * handshake, resume by final token after a lost socket, the reconnect that becomes a new session when the server has
 * forgotten the old one, formal disconnect both ways, and one FIFO queue flushed right after the confirming token.
 * Reconnects back off exponentially from {@link Context#initialBackoffMs} up to {@link Context#maxBackoffMs}; a socket
 * that closes while the node holds a final token always puts it back to RECONNECTING, never into an error.
 * <p>
 * All state lives on one thread, the loop (a single-threaded scheduler, possibly shared by many connectors); the
 * listener is called there and must not block. Public methods may be called from any thread.
 */
public final class DopConnector implements AutoCloseable
{
    /** Node events, on the loop thread. */
    public interface Listener
    {
        /** A new session: the first handshake, or a reconnect that became a new session. */
        default void onConnect(final DopConnector connector)
        {
        }

        /** The session resumed on a new socket. */
        default void onReconnect(final DopConnector connector)
        {
        }

        /** The socket is gone; the session waits for a resume. */
        default void onReconnecting(final DopConnector connector)
        {
        }

        /** The session ended: formal disconnect by either side, or the server had forgotten it. */
        default void onDisconnect(final DopConnector connector, final String finalToken)
        {
        }

        default void onMessage(final DopConnector connector, final String text)
        {
        }
    }

    /** Configuration, one object: defaults as constants, setters return this. */
    public static final class Context
    {
        public static final long DEFAULT_INITIAL_BACKOFF_MS = 1_000;
        public static final long DEFAULT_MAX_BACKOFF_MS = 30_000;
        private static final HttpClient SHARED_CLIENT = HttpClient.newHttpClient();

        private URI uri;
        private Listener listener = new Listener()
        {
        };
        private long initialBackoffMs = DEFAULT_INITIAL_BACKOFF_MS;
        private long maxBackoffMs = DEFAULT_MAX_BACKOFF_MS;
        private boolean replayQueueOnNewSession = true;
        private ScheduledExecutorService loop;
        private HttpClient httpClient = SHARED_CLIENT;

        public Context uri(final URI value) { uri = value; return this; }
        public Context listener(final Listener value) { listener = value; return this; }
        /** Delay before the first reconnect after a loss; doubles per failed attempt. */
        public Context initialBackoffMs(final long value) { initialBackoffMs = value; return this; }
        public Context maxBackoffMs(final long value) { maxBackoffMs = value; return this; }
        /** When a reconnect becomes a new session, send what waited to it (the reference) or drop it. */
        public Context replayQueueOnNewSession(final boolean value) { replayQueueOnNewSession = value; return this; }
        /** A single-threaded scheduler to share; by default each connector has its own. */
        public Context loop(final ScheduledExecutorService value) { loop = value; return this; }
        public Context httpClient(final HttpClient value) { httpClient = value; return this; }

        Context conclude()
        {
            if (uri == null || listener == null || httpClient == null)
            {
                throw new IllegalArgumentException("dop connector needs a uri, a listener and an http client");
            }
            if (initialBackoffMs < 0 || maxBackoffMs < initialBackoffMs)
            {
                throw new IllegalArgumentException("dop backoff must be 0 <= initial <= max");
            }
            return this;
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final Context context;
    private final ScheduledExecutorService loop;
    private final boolean ownLoop;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private volatile DopState state;
    private volatile String finalToken;
    private String tokenLocal;
    private String tokenRemote;
    private Attempt current;
    private int failures;
    private boolean stopped;

    private DopConnector(final Context context)
    {
        this.context = context.conclude();
        this.ownLoop = context.loop == null;
        this.loop = ownLoop ? Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "dop-connector");
            thread.setDaemon(true);
            return thread;
        }) : context.loop;
    }

    /** Starts connecting; events follow on the listener. */
    public static DopConnector connect(final Context context)
    {
        final DopConnector connector = new DopConnector(context);
        connector.loop.execute(connector::open);
        return connector;
    }

    public DopState state()
    {
        return state;
    }

    /** The session's final token once connected; null before. */
    public String finalToken()
    {
        return finalToken;
    }

    /**
     * Sends a data message now when connected and nothing waits, else queues it for the next confirmation. At most
     * once: a frame handed to a socket that then dies is lost.
     *
     * @throws IllegalArgumentException for the final token itself, which the server would read as a disconnect.
     */
    public void send(final String text)
    {
        if (text.equals(finalToken))
        {
            throw new IllegalArgumentException("a dop data message must not equal the final token");
        }
        loop.execute(() ->
        {
            if (stopped)
            {
                return;
            }
            if (state == DopState.CONNECTED && queue.isEmpty())
            {
                current.send(text);
            }
            else
            {
                queue.add(text);
            }
        });
    }

    /** Formal disconnect: a connected node sends its final token and closes; no reconnect follows. */
    public void disconnect()
    {
        loop.execute(() ->
        {
            if (stopped)
            {
                return;
            }
            stopped = true;
            final Attempt attempt = current;
            current = null;
            if (attempt != null && state == DopState.CONNECTED)
            {
                attempt.send(finalToken);
                attempt.sendClose();
            }
            else if (attempt != null)
            {
                attempt.abort();
            }
            final String ended = finalToken;
            state = DopState.DISCONNECTED;
            queue.clear();
            context.listener.onDisconnect(this, ended);
        });
    }

    /** Cuts the socket without a disconnect, as a network loss would: the node reconnects and resumes. */
    public void dropSocket()
    {
        loop.execute(() ->
        {
            final Attempt attempt = current;
            if (attempt != null && attempt.socket != null)
            {
                attempt.abort();
                lost(attempt);
            }
        });
    }

    /** Disconnects, and stops the loop if it is the connector's own. */
    @Override
    public void close()
    {
        disconnect();
        if (ownLoop)
        {
            loop.shutdown();
        }
    }

    /** The delay before reconnect attempt number {@code failures} (0 for the first after a loss). */
    static long backoffMs(final long initialMs, final long maxMs, final int failures)
    {
        long delayMs = initialMs;
        for (int i = 0; i < failures && delayMs < maxMs; i++)
        {
            delayMs *= 2;
        }
        return Math.min(delayMs, maxMs);
    }

    private void open()
    {
        if (stopped)
        {
            return;
        }
        final Attempt attempt = new Attempt();
        current = attempt;
        context.httpClient.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT)
            .buildAsync(context.uri, attempt)
            .whenComplete((socket, error) ->
            {
                if (error != null)
                {
                    loop.execute(() -> lost(attempt));
                }
            });
    }

    /** On open: a node with a session presents its final token at once; otherwise a new node sends its token. */
    private void opened(final Attempt attempt)
    {
        if (attempt != current)
        {
            attempt.abort();
            return;
        }
        if (finalToken != null)
        {
            attempt.send(finalToken);
        }
        else
        {
            tokenLocal = DopToken.local();
            tokenRemote = null;
            state = DopState.OPEN;
            attempt.send(tokenLocal);
        }
    }

    private void received(final Attempt attempt, final String message)
    {
        if (attempt != current || state == null)
        {
            return;
        }
        switch (state)
        {
            case OPEN ->
            {
                tokenRemote = message;
                state = DopState.PRECONNECTED;
                attempt.send(tokenLocal);
            }
            case RECONNECTING ->
            {
                tokenRemote = message;
                state = DopState.PRECONNECTED;
            }
            case PRECONNECTED -> preconnected(attempt, message);
            case CONNECTED ->
            {
                if (message.equals(finalToken))
                {
                    stopped = true;
                    current = null;
                    attempt.sendClose();
                    state = DopState.DISCONNECTED;
                    queue.clear();
                    context.listener.onDisconnect(this, message);
                }
                else
                {
                    context.listener.onMessage(this, message);
                }
            }
            default ->
            {
            }
        }
    }

    private void preconnected(final Attempt attempt, final String message)
    {
        if (message.equals(tokenRemote) && finalToken == null)
        {
            finalToken = DopToken.unique(tokenLocal, tokenRemote);
            confirmed(attempt);
            context.listener.onConnect(this);
        }
        else if (message.equals(finalToken))
        {
            confirmed(attempt);
            context.listener.onReconnect(this);
        }
        else if (message.equals(tokenRemote))
        {
            final String old = finalToken;
            context.listener.onDisconnect(this, old);
            finalToken = DopToken.unique(old, tokenRemote);
            attempt.send(old);
            if (!context.replayQueueOnNewSession)
            {
                queue.clear();
            }
            confirmed(attempt);
            context.listener.onConnect(this);
        }
    }

    private void confirmed(final Attempt attempt)
    {
        state = DopState.CONNECTED;
        failures = 0;
        while (!queue.isEmpty())
        {
            attempt.send(queue.poll());
        }
    }

    /** The socket closed or never opened: reconnect after the back-off unless stopped. */
    private void lost(final Attempt attempt)
    {
        if (attempt != current || stopped)
        {
            return;
        }
        current = null;
        final boolean wasConnected = state == DopState.CONNECTED;
        if (finalToken != null)
        {
            state = DopState.RECONNECTING;
        }
        if (wasConnected)
        {
            context.listener.onReconnecting(this);
        }
        final long delayMs = backoffMs(context.initialBackoffMs, context.maxBackoffMs, wasConnected ? 0 : failures);
        failures = wasConnected ? 1 : failures + 1;
        loop.schedule(this::open, delayMs, TimeUnit.MILLISECONDS);
    }

    /** One socket: its callbacks hop onto the loop; its sends are chained, as the JDK WebSocket requires. */
    private final class Attempt implements WebSocket.Listener
    {
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

        void send(final String text)
        {
            sends = sends.thenCompose(done -> socket.sendText(text, true));
        }

        void sendClose()
        {
            sends = sends.thenCompose(done -> socket.sendClose(WebSocket.NORMAL_CLOSURE, ""));
        }

        void abort()
        {
            if (socket != null)
            {
                socket.abort();
            }
        }

        @Override
        public void onOpen(final WebSocket webSocket)
        {
            webSocket.request(1);
            loop.execute(() ->
            {
                socket = webSocket;
                opened(this);
            });
        }

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                final String message = partial.toString();
                partial.setLength(0);
                loop.execute(() -> received(this, message));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
        {
            loop.execute(() -> lost(this));
            return null;
        }

        @Override
        public void onError(final WebSocket webSocket, final Throwable error)
        {
            loop.execute(() -> lost(this));
        }
    }
}
