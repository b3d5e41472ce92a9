package io.switchboard.edge.http;

import io.switchboard.protocol.proxy.ForwardedFor;
import io.switchboard.protocol.proxy.TrustedProxies;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetSocketAddress;

/**
 * Sets each request's source address ({@link HttpServerExchange#getSourceAddress}), which every per-host limit,
 * {@code addr_of_first_contact} and log line read, to the client's: the one its connection's PROXY header named
 * ({@link #PROXIED}), else the peer; and when that address is a trusted proxy, the one its {@code Forwarded} or
 * {@code X-Forwarded-For} header names ({@link ForwardedFor}). From any other peer those headers are ignored. A
 * header that does not parse is counted and the address stays as it was.
 */
public final class ClientAddressHandler implements HttpHandler
{
    /** On a connection whose PROXY header named a client: that client. */
    static final AttachmentKey<InetSocketAddress> PROXIED = AttachmentKey.create(InetSocketAddress.class);

    private final HttpHandler next;
    private final TrustedProxies trusted;
    private final AtomicCounter malformed;

    ClientAddressHandler(final HttpHandler next, final TrustedProxies trusted, final AtomicCounter malformed)
    {
        this.next = next;
        this.trusted = trusted;
        this.malformed = malformed;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        final InetSocketAddress proxied = exchange.getConnection().getAttachment(PROXIED);
        if (proxied != null)
        {
            exchange.setSourceAddress(proxied);
        }
        final InetSocketAddress source = exchange.getSourceAddress();
        if (source != null && trusted.contains(source.getAddress()))
        {
            exchange.setSourceAddress(client(source, exchange.getRequestHeaders().get(Headers.FORWARDED),
                exchange.getRequestHeaders().get(Headers.X_FORWARDED_FOR), trusted, malformed));
        }
        next.handleRequest(exchange);
    }

    /**
     * The client of a request from {@code source}: when {@code source} is a trusted proxy, the one its
     * {@code Forwarded} (else {@code X-Forwarded-For}) lines name, if they do; else {@code source}. Lines that do not
     * parse are counted in {@code malformed} and ignored. Every HTTP listener resolves its clients here, the PeerJS
     * port's own acceptor included.
     */
    public static InetSocketAddress client(
        final InetSocketAddress source, final Iterable<String> forwarded, final Iterable<String> forwardedFor,
        final TrustedProxies trusted, final AtomicCounter malformed)
    {
        if (source == null || !trusted.contains(source.getAddress()))
        {
            return source;
        }
        final ForwardedFor.Resolution resolution = ForwardedFor.resolve(forwarded, forwardedFor, trusted);
        if (resolution.outcome() == ForwardedFor.Outcome.FOUND)
        {
            return resolution.client();
        }
        if (resolution.outcome() == ForwardedFor.Outcome.MALFORMED)
        {
            malformed.increment();
        }
        return source;
    }
}
