package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the operator does with {@code --admin-token}: named domains, deletion, and the public reads. */
class OperatorApiTest
{
    private static final String[] OPERATOR = {"Authorization", "Bearer " + MetaverseAppliance.ADMIN_TOKEN};

    @TempDir
    static Path dataDir;

    private static MetaverseAppliance appliance;
    private static MetaverseHttp http;

    @BeforeAll
    static void start()
    {
        appliance = MetaverseAppliance.start(dataDir, "--temp-domain-burst=1000", "--metaverse-name=Test Metaverse");
        http = appliance.http();
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    private Domain createNamed(final String label) throws Exception
    {
        final Reply reply = http.post("/api/v1/domains", "{\"domain\":{\"label\":\"" + label + "\"}}", OPERATOR);
        assertEquals(200, reply.status(), reply.body().toString());
        final JsonNode domain = reply.body().path("data").path("domain");
        assertEquals(domain, reply.body().path("domain"), "a top-level copy, as Iamus answers");
        return new Domain(UUID.fromString(domain.path("id").asText()), domain.path("api_key").asText(), label);
    }

    @Test
    void namedDomainsNeedTheAdminToken() throws Exception
    {
        final String body = "{\"domain\":{\"label\":\"AliceWorld\"}}";
        final Reply anonymous = http.post("/api/v1/domains", body);
        assertEquals(401, anonymous.status());
        assertEquals("Not logged in", anonymous.error());
        final Reply wrong = http.post("/api/v1/domains", body, "Authorization", "Bearer not-the-token");
        assertEquals(401, wrong.status());
        assertEquals("Not authorized", wrong.error());

        final Domain domain = createNamed("AliceWorld");
        final JsonNode info = http.domainInfo(domain.id());
        assertEquals("AliceWorld", info.path("name").asText());
        assertFalse(info.path("temporary").asBoolean());
    }

    @Test
    void labelsAreValidatedAsIamusValidatesNames() throws Exception
    {
        assertEquals("no label supplied", http.post("/api/v1/domains", "{\"domain\":{}}", OPERATOR).error());
        assertEquals("label was empty",
            http.post("/api/v1/domains", "{\"domain\":{\"label\":\"\"}}", OPERATOR).error());
        final Reply invalid = http.post("/api/v1/domains", "{\"domain\":{\"label\":\"9 lives\"}}", OPERATOR);
        assertEquals(400, invalid.status());
        assertTrue(invalid.error().startsWith("label must start with a letter"));
    }

    @Test
    void namedDomainServerAuthenticatesWithItsApiKeyAsBearerToken() throws Exception
    {
        final Domain domain = createNamed("BobWorld");
        final Reply reply = http.put("/api/v1/domains/" + domain.id(),
            "{\"domain\":{\"network_address\":\"198.51.100.4\"," +
            "\"network_port\":40102,\"heartbeat\":{\"num_users\":3,\"num_anon_users\":0}}}",
            "Authorization", "Bearer " + domain.apiKey());
        assertEquals(200, reply.status(), reply.body().toString());
        final JsonNode info = http.domainInfo(domain.id());
        assertEquals("198.51.100.4", info.path("network_address").asText());
        assertEquals(40102, info.path("network_port").asInt());
        assertEquals(3, info.path("num_users").asInt());
        assertEquals(401, http.put("/api/v1/domains/" + domain.id(), "{}", "Authorization", "Bearer wrong").status());
    }

    @Test
    void descriptorsSetTheDescriptionAndWorldName() throws Exception
    {
        final Domain domain = createNamed("CarolWorld");
        assertEquals(200, http.put("/api/v1/domains/" + domain.id(),
            "{\"domain\":{\"meta\":{\"world_name\":\"Carols\"," +
            "\"description\":\"hi\",\"capacity\":0,\"restriction\":\"open\",\"maturity\":\"\",\"contact_info\":\"\"," +
            "\"thumbnail\":\"\",\"images\":[],\"managers\":[],\"tags\":[\"music\",\"art\"]}}}", OPERATOR).status());
        final JsonNode info = http.domainInfo(domain.id());
        assertEquals("Carols", info.path("name").asText());
        assertEquals("hi", info.path("description").asText());
        assertEquals("hi", info.path("meta").path("description").asText());
        assertEquals("unrated", info.path("maturity").asText(), "an empty maturity is skipped");
        assertEquals("[\"music\",\"art\"]", info.path("tags").toString());
        assertEquals(0, info.path("capacity").asInt());
    }

    @Test
    void deletedDomainIsGoneAndItsIceHeartbeatIsDenied() throws Exception
    {
        final Domain domain = http.createTemporary();
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
        try (UdpPeer domainServer = new UdpPeer(appliance.icePort()))
        {
            final int port = domainServer.localPort();
            assertEquals(DomainServerKeys.ACK, domainServer.exchange(keys.heartbeat(domain.id(), 1, port))[4]);

            assertEquals(401, http.delete("/api/v1/domains/" + domain.id()).status());
            final String[] asDomain = {"Authorization", "Bearer " + domain.apiKey()};
            assertEquals(401, http.delete("/api/v1/domains/" + domain.id(), asDomain).status(),
                "a domain-server cannot delete itself");
            assertEquals(200, http.delete("/api/v1/domains/" + domain.id(), OPERATOR).status());

            assertEquals(404, http.get("/api/v1/domains/" + domain.id()).status());
            assertEquals(404, http.delete("/api/v1/domains/" + domain.id(), OPERATOR).status());
            assertEquals(DomainServerKeys.DENIED, domainServer.exchange(keys.heartbeat(domain.id(), 2, port))[4]);
        }
    }

    @Test
    void addressOfFirstContactIsShownToTheOperatorOnly() throws Exception
    {
        final Domain domain = http.createTemporary();
        assertFalse(http.domainInfo(domain.id()).has("addr_of_first_contact"));
        final JsonNode info = http.get("/api/v1/domains/" + domain.id(), OPERATOR).body().path("data").path("domain");
        assertTrue(info.path("addr_of_first_contact").asText().startsWith("127.0.0.1:"));
    }

    @Test
    void metaverseInfoIsBareJson() throws Exception
    {
        for (final String path : new String[] {"/api/metaverse_info", "/api/v1/metaverse_info"})
        {
            final Reply reply = http.get(path);
            assertEquals(200, reply.status());
            assertFalse(reply.body().has("status"));
            assertEquals("Test Metaverse", reply.body().path("metaverse_name").asText());
            assertTrue(reply.body().path("metaverse_url").asText().startsWith("http://127.0.0.1:"));
            assertEquals("127.0.0.1:" + appliance.icePort(), reply.body().path("ice_server_url").asText());
            assertTrue(reply.body().path("metaverse_server_version").has("version-tag"));
        }
    }

    @Test
    void listingPagesEveryDomainOnceAndFiltersOnline(@TempDir final Path otherDataDir) throws Exception
    {
        try (MetaverseAppliance own = MetaverseAppliance.start(otherDataDir))
        {
            final MetaverseHttp client = own.http();
            final List<Domain> domains = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                domains.add(client.createTemporary());
            }
            final Domain live = domains.get(1);
            assertEquals(200, client.put("/api/v1/domains/" + live.id(),
                "{\"domain\":{\"api_key\":\"" + live.apiKey() + "\"}}").status());

            final JsonNode first = client.get("/api/v1/domains?per_page=2").body();
            assertEquals(1, first.path("current_page").asInt());
            assertEquals(2, first.path("per_page").asInt());
            assertEquals(2, first.path("total_pages").asInt());
            assertEquals(3, first.path("total_entries").asInt());
            final JsonNode second = client.get("/api/v1/domains?per_page=2&page=2").body();
            final List<String> listed = new ArrayList<>();
            first.path("data").path("domains").forEach(domain -> listed.add(domain.path("id").asText()));
            second.path("data").path("domains").forEach(domain -> listed.add(domain.path("id").asText()));
            final List<String> created = new ArrayList<>();
            domains.forEach(domain -> created.add(domain.id().toString()));
            assertEquals(created.size(), listed.size());
            assertTrue(listed.containsAll(created));
            assertFalse(first.toString().contains("api_key"));

            final JsonNode online = client.get("/api/v1/domains?online=true").body();
            assertEquals(1, online.path("total_entries").asInt());
            assertEquals(live.id().toString(), online.path("data").path("domains").path(0).path("id").asText());
            assertEquals(2, client.get("/api/v1/domains?online=false").body().path("total_entries").asInt());
        }
    }
}
