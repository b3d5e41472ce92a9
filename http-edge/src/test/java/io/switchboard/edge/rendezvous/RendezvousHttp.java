package io.switchboard.edge.rendezvous;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The rendezvous API over real HTTP on loopback, as a client program would call it. */
final class RendezvousHttp
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: HTTP status and JSON body. */
    record Reply(int status, JsonNode body)
    {
        String text(final String field)
        {
            return body.get(field).asText();
        }
    }

    /** A registered client as /register returned it. */
    record Client(String id, String key)
    {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    RendezvousHttp(final int port)
    {
        this("127.0.0.1", port);
    }

    /** @param host an address literal, IPv6 in brackets */
    RendezvousHttp(final String host, final int port)
    {
        base = "http://" + host + ":" + port;
    }

    Reply post(final String path, final String authorization) throws IOException, InterruptedException
    {
        return send(request(path, authorization).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    Reply get(final String path, final String authorization) throws IOException, InterruptedException
    {
        return send(request(path, authorization).GET().build());
    }

    Reply method(final String method, final String path) throws IOException, InterruptedException
    {
        return send(request(path, null).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    Client register() throws IOException, InterruptedException
    {
        final Reply reply = post("/register", null);
        if (reply.status() != 200)
        {
            throw new AssertionError("register answered " + reply);
        }
        return new Client(reply.text("client_id"), reply.text("private_id"));
    }

    Reply status(final Client asker, final String peerId) throws IOException, InterruptedException
    {
        return get("/peer/" + peerId + "/udp/status", bearer(asker));
    }

    Reply address(final Client asker, final String peerId) throws IOException, InterruptedException
    {
        return get("/peer/" + peerId + "/udp", bearer(asker));
    }

    Reply verify(final Client client) throws IOException, InterruptedException
    {
        return post("/verify", bearer(client));
    }

    Reply logout(final Client client) throws IOException, InterruptedException
    {
        return post("/logout", bearer(client));
    }

    /** Polls the peer's status until it reads {@code expected} (or the status code 404 for "gone"). */
    Reply awaitStatus(final Client asker, final String peerId, final String expected)
        throws IOException, InterruptedException
    {
        Reply reply = status(asker, peerId);
        for (int i = 0; i < 500 && !matches(reply, expected); i++)
        {
            Thread.sleep(20);
            reply = status(asker, peerId);
        }
        return reply;
    }

    private static boolean matches(final Reply reply, final String expected)
    {
        return "404".equals(expected) ? reply.status() == 404 :
            reply.status() == 200 && expected.equals(reply.text("status"));
    }

    static String bearer(final Client client)
    {
        return "Bearer " + client.key();
    }

    private HttpRequest.Builder request(final String path, final String authorization)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10));
        if (authorization != null)
        {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private Reply send(final HttpRequest request) throws IOException, InterruptedException
    {
        return parse(http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private static Reply parse(final HttpResponse<String> response)
    {
        try
        {
            return new Reply(response.statusCode(), JSON.readTree(response.body()));
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), ex);
        }
    }
}
