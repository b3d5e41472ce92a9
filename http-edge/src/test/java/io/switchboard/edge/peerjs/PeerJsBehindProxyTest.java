package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PeerJS port behind a trusted proxy, on the real appliance: the client a PROXY header (v1) or an
 * {@code X-Forwarded-For} header from a trusted peer names is the one {@code --peerjs-max-ids-per-host} counts; under
 * {@code --proxy-protocol} a connection without a valid header is closed and counted.
 */
class PeerJsBehindProxyTest
{
    private static final String OPEN = "\"OPEN\"";
    private static final String HOST_LIMIT = "Too many ids are registered from your address";
    private static final String KEY_AND_VERSION = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

    @TempDir
    Path dir;
    private PeerJsAppliance appliance;
    private final List<TcpWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException
    {
        for (final TcpWebSocket socket : sockets)
        {
            socket.close();
        }
        appliance.close();
    }

    @Test
    void theClientAProxyHeaderNamesIsTheOneItsIdsCountAgainst() throws Exception
    {
        appliance = PeerJsAppliance.start(dir, "--trusted-proxies=127.0.0.1", "--proxy-protocol=true",
            "--peerjs-max-ids-per-host=1");
        assertTrue(first(proxied("203.0.113.7", "a")).contains(OPEN));
        assertTrue(first(proxied("203.0.113.7", "b")).contains(HOST_LIMIT), "the same client: its share is taken");
        assertTrue(first(proxied("203.0.113.8", "c")).contains(OPEN), "another client behind the same proxy");
    }

    @Test
    void underProxyProtocolAConnectionWithoutAHeaderIsClosedAndCounted() throws Exception
    {
        appliance = PeerJsAppliance.start(dir, "--trusted-proxies=127.0.0.1", "--proxy-protocol=true");
        try (Socket raw = new Socket())
        {
            raw.connect(new InetSocketAddress("127.0.0.1", appliance.port()), 5_000);
            raw.setSoTimeout(5_000);
            raw.getOutputStream().write("GET /peerjs/id HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, raw.getInputStream().read(), "closed without an answer");
        }
        assertEquals(1, Scrape.awaitValue(appliance.adminPort(),
            "switchboard_http_connections_refused_total{listener=\"peerjs\",reason=\"proxy_header\"}", 1));
    }

    @Test
    void aForwardedForHeaderFromATrustedPeerNamesTheClient() throws Exception
    {
        appliance = PeerJsAppliance.start(dir, "--trusted-proxies=127.0.0.1", "--peerjs-max-ids-per-host=1");
        assertTrue(first(forwarded("198.51.100.9", "a")).contains(OPEN));
        assertTrue(first(forwarded("198.51.100.9", "b")).contains(HOST_LIMIT));
        assertTrue(first(forwarded("198.51.100.10", "c")).contains(OPEN));
    }

    /** A WebSocket for {@code id} through a proxy that sent a PROXY v1 header for {@code client}. */
    private TcpWebSocket proxied(final String client, final String id) throws IOException
    {
        final Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", appliance.port()), 5_000);
        final OutputStream out = raw.getOutputStream();
        out.write(("PROXY TCP4 " + client + " 127.0.0.1 40000 " + appliance.port() + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        return keep(TcpWebSocket.open(raw, query(id), KEY_AND_VERSION, new byte[0], true));
    }

    /** A WebSocket for {@code id} whose upgrade request says it is forwarded for {@code client}. */
    private TcpWebSocket forwarded(final String client, final String id) throws IOException
    {
        return keep(TcpWebSocket.open(appliance.port(), query(id), KEY_AND_VERSION + "\r\nX-Forwarded-For: " + client,
            new byte[0], true));
    }

    private static String query(final String id)
    {
        return "/peerjs?key=peerjs&id=" + id + "&token=t-" + id;
    }

    private TcpWebSocket keep(final TcpWebSocket socket)
    {
        sockets.add(socket);
        return socket;
    }

    private static String first(final TcpWebSocket socket) throws IOException
    {
        return socket.read().text();
    }
}
