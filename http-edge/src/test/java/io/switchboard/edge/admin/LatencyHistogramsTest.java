package io.switchboard.edge.admin;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency histograms on the real appliance's /metrics: HTTP request time per listener (Undertow's and the PeerJS
 * port's own) and PeerJS relay time, each counting what was done, its +Inf bucket equal to its count.
 */
class LatencyHistogramsTest
{
    private static final int FIN_TEXT = 0x81;

    @TempDir
    Path dir;

    @Test
    void requestsAndRelaysAreTimed() throws Exception
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir))))
        {
            final HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++)
            {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.port("peerjs") +
                    "/peerjs/id")).build(), HttpResponse.BodyHandlers.ofString());
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.port("metaverse") +
                    "/api/metaverse_info")).build(), HttpResponse.BodyHandlers.ofString());
            }
            try (TcpWebSocket a = TcpWebSocket.open(appliance.port("peerjs"), "/peerjs?key=peerjs&id=a&token=t", "13",
                true);
                 TcpWebSocket b = TcpWebSocket.open(appliance.port("peerjs"), "/peerjs?key=peerjs&id=b&token=t", "13",
                     true))
            {
                a.read();
                b.read();
                for (int i = 0; i < 3; i++)
                {
                    a.send(FIN_TEXT, ("{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":" + i + "}")
                        .getBytes(StandardCharsets.UTF_8), true);
                    assertTrue(b.read().text().contains("OFFER"));
                }
            }
            final int admin = appliance.port("admin");
            assertTrue(Scrape.value(admin, "switchboard_http_request_seconds_count{listener=\"peerjs\"}") >= 5);
            assertTrue(Scrape.value(admin, "switchboard_http_request_seconds_count{listener=\"metaverse\"}") >= 5);
            assertEquals(3, Scrape.value(admin, "switchboard_peerjs_relay_seconds_count"));
            assertEquals(3, Scrape.value(admin, "switchboard_peerjs_relay_seconds_bucket{le=\"+Inf\"}"));
        }
    }
}
