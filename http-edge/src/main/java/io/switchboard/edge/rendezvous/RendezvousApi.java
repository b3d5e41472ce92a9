package io.switchboard.edge.rendezvous;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cluster.ClusterUnavailableException;
import io.switchboard.edge.limit.HostsPerMinuteLimiter;
import io.switchboard.engine.command.PulsePeerQueryCommand;
import io.switchboard.engine.pulse.PulseAnswer;
import io.switchboard.engine.table.PulseClientRecord;
import io.switchboard.engine.table.PulseKey;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeoutException;

/**
 * The rendezvous endpoints (rendezvous-and-dop.md §1.6, with §1.9's JSON errors), each run on a worker thread:
 * check the request, send one command through the {@link PulseGateway}, render the engine's answer.
 * {@code Authorization: Bearer <64 hex>} names the caller on every route but /register.
 */
final class RendezvousApi
{
    private static final String BUSY = "the client table's file lags behind; nothing changed, try again shortly";
    /** An endpoint on a worker thread; it may block on the engine's answer. */
    @FunctionalInterface
    interface Endpoint
    {
        void handle(HttpServerExchange exchange) throws Exception;
    }

    static final String ONLINE = "Online";
    static final String PENDING = "Pending";

    private static final HexFormat HEX = HexFormat.of();
    private static final String BEARER = "Bearer";
    private static final int ID_HEX_LENGTH = 32;
    private static final int KEY_HEX_LENGTH = 2 * PulseKey.LENGTH;
    /** A drawn id or key already in use is drawn again; with 128 and 256 random bits this never repeats twice. */
    private static final int REGISTER_ATTEMPTS = 3;
    private static final String JSON_TYPE = "application/json";

    private final PulseGateway gateway;
    private final HostsPerMinuteLimiter limiter;
    private final RendezvousCounters counters;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();

    RendezvousApi(
        final PulseGateway gateway,
        final HostsPerMinuteLimiter limiter,
        final RendezvousCounters counters,
        final ObjectMapper json)
    {
        this.gateway = gateway;
        this.limiter = limiter;
        this.counters = counters;
        this.json = json;
    }

    /** POST or GET /register: a new client id and private key, ONLINE for the register grace. */
    void register(final HttpServerExchange exchange) throws InterruptedException
    {
        if (!limiter.tryAcquire(exchange.getSourceAddress(), System.currentTimeMillis()))
        {
            failure(exchange, 429, "too many registrations from this address; try again later");
            return;
        }
        final byte[] idBytes = new byte[ID_HEX_LENGTH / 2];
        final byte[] keyBytes = new byte[PulseKey.LENGTH];
        for (int attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++)
        {
            random.nextBytes(idBytes);
            random.nextBytes(keyBytes);
            final UnsafeBuffer id = new UnsafeBuffer(idBytes);
            final long msb = id.getLong(0, ByteOrder.BIG_ENDIAN);
            final long lsb = id.getLong(8, ByteOrder.BIG_ENDIAN);
            if (msb == PulsePeerQueryCommand.NO_PEER && lsb == PulsePeerQueryCommand.NO_PEER)
            {
                continue;
            }
            final DirectBuffer answer = ask(exchange, () -> gateway.register(msb, lsb, keyOf(keyBytes)));
            if (answer == null)
            {
                return;
            }
            switch (PulseAnswer.outcome(answer))
            {
                case PulseAnswer.OK:
                    send(exchange, new Bodies.Registered(
                        HEX.formatHex(idBytes), HEX.formatHex(keyBytes), Bodies.seconds(PulseAnswer.nowMs(answer)), true));
                    return;
                case PulseAnswer.FULL:
                    failure(exchange, 503, "the rendezvous holds the most clients it allows; try again later");
                    return;
                case PulseAnswer.BUSY:
                    failure(exchange, 503, BUSY);
                    return;
                default:
                    break;
            }
        }
        failure(exchange, 503, "could not draw an unused client id; try again");
    }

    /** POST /verify: PENDING back to ONLINE (ok true), or already ONLINE (ok false). */
    void verify(final HttpServerExchange exchange) throws InterruptedException
    {
        final PulseKey key = bearer(exchange);
        if (key == null)
        {
            return;
        }
        final DirectBuffer answer = ask(exchange, () -> gateway.verify(key));
        if (answer != null && known(exchange, answer))
        {
            send(exchange, new Bodies.Verified(
                clientId(answer), Bodies.seconds(PulseAnswer.nowMs(answer)), PulseAnswer.changed(answer)));
        }
    }

    /** POST /logout: the client and its key are forgotten at once. */
    void logout(final HttpServerExchange exchange) throws InterruptedException
    {
        final PulseKey key = bearer(exchange);
        if (key == null)
        {
            return;
        }
        final DirectBuffer answer = ask(exchange, () -> gateway.logout(key));
        if (answer != null && PulseAnswer.outcome(answer) == PulseAnswer.BUSY)
        {
            failure(exchange, 503, BUSY);
        }
        else if (answer != null && known(exchange, answer))
        {
            send(exchange, new Bodies.LoggedOut(clientId(answer), true));
        }
    }

    /** GET /peer/{id}/udp and /peer/{id}/udp/address: the public address the peer's last pulse came from. */
    void peerAddress(final HttpServerExchange exchange) throws InterruptedException, UnknownHostException
    {
        final DirectBuffer answer = peer(exchange);
        if (answer == null)
        {
            return;
        }
        if (PulseAnswer.family(answer) == PulseClientRecord.NO_ADDRESS)
        {
            failure(exchange, 404, "no UDP address yet: the client has not pulsed");
            return;
        }
        send(exchange, new Bodies.PeerAddress(
            clientId(answer),
            InetAddress.getByAddress(PulseAnswer.address(answer)).getHostAddress(),
            PulseAnswer.port(answer),
            Bodies.seconds(PulseAnswer.nowMs(answer)),
            true));
    }

    /** GET /peer/{id}/udp/status: Online or Pending, and when the peer last pulsed. */
    void peerStatus(final HttpServerExchange exchange) throws InterruptedException
    {
        final DirectBuffer answer = peer(exchange);
        if (answer == null)
        {
            return;
        }
        final long nowMs = PulseAnswer.nowMs(answer);
        final long lastPulseMs = PulseAnswer.lastPulseMs(answer);
        send(exchange, new Bodies.PeerStatus(
            clientId(answer),
            PulseAnswer.state(answer) == PulseClientRecord.PENDING ? PENDING : ONLINE,
            lastPulseMs == 0 ? BigDecimal.ZERO : Bodies.seconds(lastPulseMs),
            lastPulseMs == 0 ? null : Bodies.seconds(Math.max(0, nowMs - lastPulseMs)),
            Bodies.seconds(nowMs),
            true));
    }

    private DirectBuffer peer(final HttpServerExchange exchange) throws InterruptedException
    {
        final PulseKey key = bearer(exchange);
        if (key == null)
        {
            return null;
        }
        final String id = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("id");
        // An id that is not 32 hex digits names no client; the caller's key is still checked first (400 before 404).
        final boolean wellFormed = isHex(id, ID_HEX_LENGTH);
        final long msb = wellFormed ? HexFormat.fromHexDigitsToLong(id, 0, 16) : PulsePeerQueryCommand.NO_PEER;
        final long lsb = wellFormed ? HexFormat.fromHexDigitsToLong(id, 16, 32) : PulsePeerQueryCommand.NO_PEER;
        final DirectBuffer answer = ask(exchange, () -> gateway.peer(key, msb, lsb));
        if (answer == null || !known(exchange, answer))
        {
            return null;
        }
        if (PulseAnswer.outcome(answer) == PulseAnswer.UNKNOWN_PEER)
        {
            failure(exchange, 404, "unknown client id");
            return null;
        }
        return answer;
    }

    /** The caller's key from {@code Authorization: Bearer <64 hex>}, or null after answering 400. */
    private PulseKey bearer(final HttpServerExchange exchange)
    {
        final String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        final int space = header == null ? -1 : header.indexOf(' ');
        if (space < 0 || !BEARER.equals(header.substring(0, space)) || !isHex(header.substring(space + 1),
            KEY_HEX_LENGTH))
        {
            failure(exchange, 400, "Authorization must be: Bearer <64 hex digit private_id>");
            return null;
        }
        return keyOf(HEX.parseHex(header, space + 1, header.length()));
    }

    private boolean known(final HttpServerExchange exchange, final DirectBuffer answer)
    {
        if (PulseAnswer.outcome(answer) == PulseAnswer.UNKNOWN_KEY)
        {
            failure(exchange, 400, "unknown private_id: not registered, logged out or expired");
            return false;
        }
        return true;
    }

    @FunctionalInterface
    private interface Question
    {
        DirectBuffer ask() throws TimeoutException, InterruptedException;
    }

    /** The engine's answer, or null after answering 503 when it did not come in time. */
    private DirectBuffer ask(final HttpServerExchange exchange, final Question question) throws InterruptedException
    {
        try
        {
            return question.ask();
        }
        catch (final TimeoutException ex)
        {
            failure(exchange, 503, "the rendezvous engine did not answer in time; try again");
            return null;
        }
        catch (final ClusterUnavailableException ex)
        {
            failure(exchange, 503, "not committed: " + ex.getMessage());
            return null;
        }
    }

    private static boolean isHex(final String text, final int length)
    {
        if (text == null || text.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (!HexFormat.isHexDigit(text.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static PulseKey keyOf(final byte[] raw)
    {
        return new PulseKey().wrapRaw(new UnsafeBuffer(raw), 0);
    }

    private static String clientId(final DirectBuffer answer)
    {
        return HEX.toHexDigits(PulseAnswer.clientMsb(answer)) + HEX.toHexDigits(PulseAnswer.clientLsb(answer));
    }

    private void send(final HttpServerExchange exchange, final Object body)
    {
        send(exchange, 200, body);
    }

    void failure(final HttpServerExchange exchange, final int status, final String error)
    {
        counters.failure(status);
        send(exchange, status, new Bodies.Failure(false, error));
    }

    private void send(final HttpServerExchange exchange, final int status, final Object body)
    {
        final byte[] bytes;
        try
        {
            bytes = json.writeValueAsBytes(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write reply", ex);
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON_TYPE);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }
}
