package io.switchboard.edge.dop;

import io.switchboard.tools.dop.DopConnector;

import java.net.URI;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The tools' Java connector with every event recorded in order, as {@code connect}, {@code message:TEXT}, ... */
final class DopClient implements DopConnector.Listener, AutoCloseable
{
    private static final long WAIT_MS = 5_000;
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    final DopConnector connector;

    DopClient(final URI uri, final long initialBackoffMs)
    {
        connector = DopConnector.connect(new DopConnector.Context().uri(uri).listener(this)
            .initialBackoffMs(initialBackoffMs));
    }

    /** The next event, which must start with {@code prefix}; returns what follows the prefix. */
    String expect(final String prefix)
    {
        try
        {
            final String event = events.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(event, "no event within " + WAIT_MS + " ms, expected " + prefix);
            assertEquals(prefix, event.substring(0, Math.min(prefix.length(), event.length())), event);
            return event.substring(prefix.length());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Connected with admission to the realm: the connect event, then OPEN as the first data frame. */
    DopClient opened()
    {
        expect("connect");
        expect("message:{\"type\":\"OPEN\"}");
        return this;
    }

    @Override
    public void onConnect(final DopConnector connector)
    {
        events.add("connect");
    }

    @Override
    public void onReconnect(final DopConnector connector)
    {
        events.add("reconnect");
    }

    @Override
    public void onReconnecting(final DopConnector connector)
    {
        events.add("reconnecting");
    }

    @Override
    public void onDisconnect(final DopConnector connector, final String finalToken)
    {
        events.add("disconnect:" + finalToken);
    }

    @Override
    public void onMessage(final DopConnector connector, final String text)
    {
        events.add("message:" + text);
    }

    @Override
    public void close()
    {
        connector.close();
    }
}
