package io.switchboard.edge.peerjs;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.RawSocket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The whole appliance in this JVM with every listener on a free port, for black-box PeerJS tests over loopback:
 * HTTP requests and raw WebSockets ({@link RawSocket}) against its {@code peerjs} listener.
 */
final class PeerJsAppliance implements AutoCloseable
{
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Appliance appliance;
    private final List<RawSocket> sockets = new ArrayList<>();

    private PeerJsAppliance(final Appliance appliance)
    {
        this.appliance = appliance;
    }

    /** {@code extra} options win over the any-port defaults, e.g. a fixed {@code --peerjs-port}. */
    static PeerJsAppliance start(final Path dataDir, final String... extra)
    {
        final List<String> args = new ArrayList<>(Arrays.asList(AnyPorts.with("--data-dir=" + dataDir)));
        for (final String option : extra)
        {
            final String name = option.contains("=") ? option.substring(0, option.indexOf('=') + 1) : option;
            args.removeIf(existing -> existing.startsWith(name) && !option.startsWith("--peerjs-cors"));
            args.add(option);
        }
        return new PeerJsAppliance(Appliance.start(Options.parse(args.toArray(String[]::new))));
    }

    int port()
    {
        return appliance.port(PeerJsServer.LISTENER);
    }

    int adminPort()
    {
        return appliance.port("admin");
    }

    URI uri(final String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpResponse<String> get(final String pathAndQuery, final String... headers)
        throws IOException, InterruptedException
    {
        return send("GET", pathAndQuery, headers);
    }

    HttpResponse<String> send(final String method, final String pathAndQuery, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10));
        if (headers.length > 0)
        {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A WebSocket on {@code /peerjs} with this raw query; closed with the appliance. */
    RawSocket socket(final String query)
    {
        return socketAt("/peerjs?" + query);
    }

    RawSocket socketAt(final String pathAndQuery)
    {
        final RawSocket socket = RawSocket.open(URI.create("ws://127.0.0.1:" + port() + pathAndQuery));
        sockets.add(socket);
        return socket;
    }

    /** A registered client: connects with key peerjs and this id and token, and takes the OPEN. */
    RawSocket client(final String id, final String token)
    {
        final RawSocket socket = socket("key=peerjs&id=" + id + "&token=" + token);
        socket.expect("{\"type\":\"OPEN\"}");
        return socket;
    }

    @Override
    public void close()
    {
        sockets.forEach(RawSocket::abort);
        appliance.close();
    }
}
