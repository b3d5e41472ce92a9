package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.RawSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/** The HTTP API of peerjs.md section 2, byte for byte where the spec gives bytes, against the running appliance. */
class PeerJsHttpApiTest
{
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @TempDir
    Path dataDir;

    private PeerJsAppliance appliance;

    @AfterEach
    void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    private PeerJsAppliance start(final String... options)
    {
        appliance = PeerJsAppliance.start(dataDir, options);
        return appliance;
    }

    @Nested
    class DefaultPath
    {
        @Test
        void rootAnswersTheServerDescriptionAsJson() throws Exception
        {
            final HttpResponse<String> response = start().get("/");
            assertEquals(200, response.statusCode());
            assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker connections " +
                "between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}", response.body());
            assertEquals(140, response.body().length());
        }

        @Test
        void idIsABareUuidAsHtmlForAnyKey() throws Exception
        {
            start();
            for (final String path : new String[]{"/peerjs/id?ts=123abc&version=1.5.5", "/wrongkey/id", "/peerjs/id/"})
            {
                final HttpResponse<String> response = appliance.get(path);
                assertEquals(200, response.statusCode(), path);
                assertEquals("text/html; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
                assertTrue(response.body().matches(UUID), response.body());
            }
            assertNotEquals(appliance.get("/peerjs/id").body(), appliance.get("/peerjs/id").body());
        }

        @Test
        void headOfIdAnswers200WithoutBody() throws Exception
        {
            final HttpResponse<String> response = start().send("HEAD", "/peerjs/id");
            assertEquals(200, response.statusCode());
            assertEquals("", response.body());
        }

        @Test
        void peersIsUnauthorizedWithoutDiscovery() throws Exception
        {
            final HttpResponse<String> response = start().get("/peerjs/peers");
            assertEquals(401, response.statusCode());
            assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("Unauthorized", response.body());
        }

        @Test
        void peersListsRegisteredIdsInRegistrationOrderWithDiscovery() throws Exception
        {
            start("--peerjs-allow-discovery=true");
            assertEquals("[]", appliance.get("/anykey/peers").body());
            appliance.client("zz", "t1");
            appliance.client("aa", "t2");
            final HttpResponse<String> response = appliance.get("/peerjs/peers");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            assertEquals("[\"zz\",\"aa\"]", response.body());
        }

        @Test
        void otherRoutesAndMethodsGetTheExpressNotFoundPage() throws Exception
        {
            start();
            final HttpResponse<String> key = appliance.get("/peerjs");
            assertEquals(404, key.statusCode());
            assertTrue(key.body().contains("<pre>Cannot GET /peerjs</pre>"), key.body());
            assertEquals(404, appliance.send("POST", "/peerjs/id").statusCode());
            assertTrue(appliance.send("POST", "/peerjs/id").body().contains("Cannot POST /peerjs/id"));
            assertEquals(404, appliance.get("/a/b/id").statusCode());
        }

        @Test
        void plainGetOnTheWebSocketPathIsNotFound() throws Exception
        {
            assertEquals(404, start().get("/peerjs?key=peerjs&id=a&token=b").statusCode());
        }

        @Test
        void upgradeOnAnotherPathIsABadRequest()
        {
            start();
            for (final String path : new String[]{"/peerjs/?key=peerjs&id=a&token=b", "/foo?key=peerjs&id=a&token=b"})
            {
                final CompletionException failure = assertThrows(CompletionException.class,
                    () -> appliance.socketAt(path));
                final WebSocketHandshakeException handshake =
                    assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
                assertEquals(400, handshake.getResponse().statusCode());
            }
        }
    }

    @Nested
    class Cors
    {
        @Test
        void reflectsAnyOriginAndVariesOnIt() throws Exception
        {
            start();
            final HttpResponse<String> withOrigin = appliance.get("/peerjs/id", "Origin", "http://example.test:8080");
            assertEquals("http://example.test:8080",
                withOrigin.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("Origin", withOrigin.headers().firstValue("Vary").orElseThrow());
            final HttpResponse<String> without = appliance.get("/");
            assertTrue(without.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
            assertEquals("Origin", without.headers().firstValue("Vary").orElseThrow());
            assertTrue(withOrigin.headers().firstValue("Access-Control-Allow-Credentials").isEmpty());
        }

        @Test
        void configuredOriginsOnlyAreAllowed() throws Exception
        {
            start("--peerjs-cors=http://o1.test", "--peerjs-cors=http://o2.test");
            for (final String allowed : new String[]{"http://o1.test", "http://o2.test"})
            {
                assertEquals(allowed, appliance.get("/peerjs/id", "Origin", allowed)
                    .headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            }
            assertTrue(appliance.get("/peerjs/id", "Origin", "http://o3.test")
                .headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        }

        @Test
        void preflightAnswers204WithMethodsAndEchoedHeaders() throws Exception
        {
            final HttpResponse<String> response = start().send("OPTIONS", "/anything/at/all",
                "Origin", "http://example.test", "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "x-one,x-two");
            assertEquals(204, response.statusCode());
            assertEquals("http://example.test", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("GET,HEAD,PUT,PATCH,POST,DELETE",
                response.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertEquals("x-one,x-two", response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
            assertEquals("Origin, Access-Control-Request-Headers", response.headers().firstValue("Vary").orElseThrow());
            assertEquals("", response.body());
        }
    }

    @Nested
    class MountPath
    {
        @Test
        void everyRouteLivesUnderThePath() throws Exception
        {
            start("--peerjs-path=/myapp");
            assertEquals(PeerJsHttpApi.INFO, appliance.get("/myapp").body());
            assertEquals(PeerJsHttpApi.INFO, appliance.get("/myapp/").body());
            assertTrue(appliance.get("/myapp/peerjs/id").body().matches(UUID));
            assertEquals(404, appliance.get("/").statusCode());
            assertEquals(404, appliance.get("/peerjs/id").statusCode());
            final RawSocket socket = appliance.socketAt("/myapp/peerjs?key=peerjs&id=a&token=b");
            socket.expect("{\"type\":\"OPEN\"}");
        }
    }
}
