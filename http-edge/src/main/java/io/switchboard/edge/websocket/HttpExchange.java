package io.switchboard.edge.websocket;

import io.switchboard.protocol.http.HttpRequestHead;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request of an {@link HttpConnection} and the means to answer it, valid during {@link HttpService#onRequest}
 * only (one per connection, reused). A response is {@code status line, Connection, the headers added here,
 * Content-Type, Content-Length, Date, body}; HEAD gets the headers of the GET without the body.
 */
public final class HttpExchange
{
    private final HttpConnection connection;
    private final List<String> headers = new ArrayList<>(8);
    private HttpRequestHead request;

    HttpExchange(final HttpConnection connection)
    {
        this.connection = connection;
    }

    void begin(final HttpRequestHead request)
    {
        this.request = request;
        headers.clear();
    }

    /** The request's head; its bytes are valid during the call only. */
    public HttpRequestHead request()
    {
        return request;
    }

    /** The agent that owns the connection, on whose thread this runs. */
    public SignalingAgent agent()
    {
        return connection.agent();
    }

    /** Adds a response header, after any added before (no check for duplicates). */
    public HttpExchange header(final String name, final String value)
    {
        headers.add(name);
        headers.add(value);
        return this;
    }

    /** Removes the response headers called {@code name} (any case) added before. */
    public HttpExchange removeHeader(final String name)
    {
        for (int i = headers.size() - 2; i >= 0; i -= 2)
        {
            if (headers.get(i).equalsIgnoreCase(name))
            {
                headers.remove(i + 1);
                headers.remove(i);
            }
        }
        return this;
    }

    /** Answers {@code status} with {@code body} (UTF-8) of {@code contentType}. */
    public void send(final int status, final String contentType, final String body)
    {
        connection.respond(status, headers, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers {@code status} without a body or its length, as for 204. */
    public void sendEmpty(final int status)
    {
        connection.respond(status, headers, null, null);
    }

    /**
     * Answers 101 with {@code Upgrade: websocket} and {@code acceptValue} as {@code Sec-WebSocket-Accept}: the
     * connection is no longer HTTP, and the returned upgrade makes it a WebSocket. Null when the 101 could not be
     * written at once (a client that pipelined requests and reads nothing): the connection is cut.
     */
    public WebSocketUpgrade upgrade(final String acceptValue)
    {
        return connection.upgrade(acceptValue);
    }
}
