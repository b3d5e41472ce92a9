package io.switchboard.edge.metaverse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CORS on the metaverse API, as Iamus answers it: a preflight OPTIONS (any path) gets 204 with the allowed methods and
 * headers; every response names the allowed origin, {@code *} by default or, with {@code --metaverse-cors}, the
 * request's origin when it is one of those (with {@code Vary: Origin}), nothing for another.
 */
class MetaverseCorsTest
{
    private static final String ALLOWED = "https://hub.example";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path dataDirs;
    private static MetaverseAppliance open;
    private static MetaverseAppliance restricted;

    @BeforeAll
    static void start()
    {
        open = MetaverseAppliance.start(dataDirs.resolve("open"));
        restricted = MetaverseAppliance.start(dataDirs.resolve("restricted"),
            "--metaverse-cors=" + ALLOWED, "--metaverse-cors=https://other.example");
    }

    @AfterAll
    static void stop()
    {
        open.close();
        restricted.close();
    }

    private static HttpResponse<String> send(
        final MetaverseAppliance appliance, final String method, final String path, final String origin) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + appliance.metaversePort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin);
        if (method.equals("OPTIONS"))
        {
            request.header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization,content-type");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPreflightIsAnswered204WithIamusMethodsAndHeaders() throws Exception
    {
        final HttpResponse<String> response = send(open, "OPTIONS", "/api/v1/domains/temporary", "https://any.example");
        assertEquals(204, response.statusCode());
        assertEquals(Optional.of("*"), response.headers().firstValue("Access-Control-Allow-Origin"));
        assertEquals(Optional.of("true"), response.headers().firstValue("Access-Control-Allow-Credentials"));
        assertEquals(Optional.of("GET,HEAD,PUT,PATCH,POST,DELETE"),
            response.headers().firstValue("Access-Control-Allow-Methods"));
        assertEquals(Optional.of("authorization,content-type,x-vircadia-error-handle"),
            response.headers().firstValue("Access-Control-Allow-Headers"));
        assertEquals("", response.body());
        assertEquals(204, send(open, "OPTIONS", "/no/such/route", "https://any.example").statusCode(),
            "the middleware stands before the routes");
    }

    @Test
    void everyResponseNamesTheAllowedOrigin() throws Exception
    {
        final HttpResponse<String> info = send(open, "GET", "/api/metaverse_info", "https://any.example");
        assertEquals(200, info.statusCode());
        assertEquals(Optional.of("*"), info.headers().firstValue("Access-Control-Allow-Origin"));
        final HttpResponse<String> missing = send(open, "GET", "/api/v1/domains/nothing-here", "https://any.example");
        assertEquals(Optional.of("*"), missing.headers().firstValue("Access-Control-Allow-Origin"), "a failure too");
    }

    @Test
    void withOriginsOnlyThoseAreNamedBack() throws Exception
    {
        final HttpResponse<String> allowed = send(restricted, "OPTIONS", "/api/v1/domains/temporary", ALLOWED);
        assertEquals(204, allowed.statusCode());
        assertEquals(Optional.of(ALLOWED), allowed.headers().firstValue("Access-Control-Allow-Origin"));
        assertEquals(List.of("Origin"), allowed.headers().allValues("Vary"));
        final HttpResponse<String> other = send(restricted, "GET", "/api/metaverse_info", "https://evil.example");
        assertEquals(200, other.statusCode(), "the request itself is served; the browser keeps the answer from the page");
        assertEquals(Optional.empty(), other.headers().firstValue("Access-Control-Allow-Origin"));
        assertEquals(Optional.of(ALLOWED), send(restricted, "GET", "/api/metaverse_info", ALLOWED)
            .headers().firstValue("Access-Control-Allow-Origin"));
    }
}
