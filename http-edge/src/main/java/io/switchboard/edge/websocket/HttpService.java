package io.switchboard.edge.websocket;

/**
 * What the HTTP connections of a signaling port hand each complete request to, on the thread of the agent that owns
 * the connection: it answers through the {@link HttpExchange} before returning, with a response or a WebSocket
 * upgrade. It must not block.
 */
@FunctionalInterface
public interface HttpService
{
    void onRequest(HttpExchange exchange);
}
