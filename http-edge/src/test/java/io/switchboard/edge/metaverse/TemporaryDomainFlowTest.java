package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec §5.1, the temporary-domain flow of a stock domain-server, against the running appliance. */
class TemporaryDomainFlowTest
{
    @TempDir
    static Path dataDir;

    private static MetaverseAppliance appliance;
    private static MetaverseHttp http;
    private static DomainServerKeys keys;

    @BeforeAll
    static void start() throws Exception
    {
        appliance = MetaverseAppliance.start(dataDir, "--temp-domain-burst=1000", "--metaverse-max-body-bytes=4096");
        http = appliance.http();
        keys = DomainServerKeys.rsa(2048);
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    @Test
    void readyLineNamesTheMetaverseListenerBetweenIceAndAdmin()
    {
        final String line = appliance.readyLine();
        assertTrue(line.matches("switchboard ready ice=udp:\\d+ .*metaverse=http:\\d+ .*admin=http:\\d+"), line);
    }

    @Test
    void temporaryDomainFlowEndsWithAnIceHeartbeatAckedOnItsFirstTry() throws Exception
    {
        final Reply created = http.post("/api/v1/domains/temporary", "", "HFM-SessionID", UUID.randomUUID().toString());
        assertEquals(200, created.status());
        assertEquals("success", created.body().path("status").asText());
        final JsonNode info = created.body().path("data").path("domain");
        final Domain domain = new Domain(
            UUID.fromString(info.path("id").asText()), info.path("api_key").asText(), info.path("name").asText());
        assertEquals(domain.id().toString(), info.path("domainId").asText());
        assertTrue(domain.name().matches("[a-z]+-[a-z]+"), domain.name());
        assertNotEquals(domain.id(), UUID.fromString(domain.apiKey()));
        assertEquals(4, UUID.fromString(domain.apiKey()).version());

        assertEquals(200, http.setIceServerAddress(domain, "0.0.0.0").status());
        final Reply uploaded = http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1());
        assertEquals(200, uploaded.status(), uploaded.body().toString());
        assertEquals("{\"status\":\"success\"}", uploaded.body().toString());

        try (UdpPeer domainServer = new UdpPeer(appliance.icePort()))
        {
            final byte[] reply = domainServer.exchange(keys.heartbeat(domain.id(), 1, domainServer.localPort()));
            assertEquals(6, reply.length);
            assertEquals(DomainServerKeys.ACK, reply[4], "the very first heartbeat is ACKed");
            assertEquals(DomainServerKeys.REPLY_VERSION, reply[5]);
        }
    }

    @Test
    void servedPublicKeyIsTheUploadedKeyAsSpki() throws Exception
    {
        final Domain domain = http.createTemporary();
        assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());

        final Reply reply = http.get("/api/v1/domains/" + domain.id() + "/public_key");
        assertEquals(200, reply.status());
        assertEquals("success", reply.body().path("status").asText());
        final String served = reply.body().path("data").path("public_key").asText();
        assertTrue(served.startsWith("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"), served);
        assertTrue(served.endsWith("IDAQAB"), served);
        assertEquals(392, served.length());
        final RSAPublicKey decoded = (RSAPublicKey)KeyFactory.getInstance("RSA")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(served)));
        assertEquals(keys.publicKey().getModulus(), decoded.getModulus());
        assertEquals(BigInteger.valueOf(65_537), decoded.getPublicExponent());
        assertEquals(served, http.domainInfo(domain.id()).path("public_key").asText());
    }

    @Test
    void domainWithoutKeyServesAnEmptyKey() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.get("/api/v1/domains/" + domain.id() + "/public_key");
        assertEquals(200, reply.status());
        assertEquals("", reply.body().path("data").path("public_key").asText());
    }

    @Test
    void iceServerAddressShowsInDomainInfo() throws Exception
    {
        final Domain domain = http.createTemporary();
        assertEquals(200, http.setIceServerAddress(domain, "0.0.0.0").status());
        assertEquals("0.0.0.0", http.domainInfo(domain.id()).path("ice_server_address").asText());
        assertEquals(200, http.setIceServerAddress(domain, "203.0.113.7").status());
        assertEquals("203.0.113.7", http.domainInfo(domain.id()).path("ice_server_address").asText());
    }

    @Test
    void heartbeatWithUsersShowsInDomainInfo() throws Exception
    {
        final Domain domain = http.createTemporary();
        final JsonNode before = http.domainInfo(domain.id());
        assertFalse(before.has("time_of_last_heartbeat"));
        assertFalse(before.path("active").asBoolean());
        assertFalse(before.has("api_key"), "the api_key is never shown after creation");

        final Reply reply = http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"version\":\"2022.1.0\"," +
            "\"protocol\":\"c2lnbmF0dXJl\",\"automatic_networking\":\"full\",\"restricted\":false,\"api_key\":\"" +
            domain.apiKey() + "\",\"heartbeat\":{\"num_users\":1,\"num_anon_users\":1,\"user_hostnames\":{\"*\":1}}}}");
        assertEquals(200, reply.status());
        assertEquals("{\"status\":\"success\"}", reply.body().toString());

        final JsonNode info = http.domainInfo(domain.id());
        assertEquals(1, info.path("num_users").asInt());
        assertEquals(1, info.path("anon_users").asInt());
        assertEquals(1, info.path("total_users").asInt());
        assertEquals(1, info.path("users").path("num_users").asInt());
        assertEquals(1, info.path("users").path("num_anon_users").asInt());
        assertEquals("2022.1.0", info.path("version").asText());
        assertEquals("c2lnbmF0dXJl", info.path("protocol_version").asText());
        assertEquals("full", info.path("automatic_networking").asText());
        assertFalse(info.path("restricted").asBoolean(true));
        assertTrue(info.path("active").asBoolean());
        assertTrue(info.path("time_of_last_heartbeat").asText()
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertTrue(info.path("time_of_last_heartbeat_s").asText().matches("\\d{13}"), "milliseconds as a string");
        assertEquals(info, http.get("/api/v1/domains/" + domain.id()).body().path("domain"),
            "legacy callers read the top-level copy");
    }

    @Test
    void heartbeatWithWrongApiKeyIsUnauthorized() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"api_key\":\"wrong\"}}");
        assertEquals(401, reply.status());
        assertEquals("failure", reply.body().path("status").asText());
        assertEquals("Domain not authorized", reply.error());
        assertEquals(401, http.setIceServerAddress(new Domain(domain.id(), "wrong", null), "1.2.3.4").status());
        assertEquals(401, http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{}}").status());
        assertEquals(401, http.put("/api/v1/domains/" + domain.id(), "").status(), "an empty body shows no key");
    }

    @Test
    void unknownDomainIsNotFound() throws Exception
    {
        final UUID unknown = UUID.randomUUID();
        final String body = "{\"domain\":{\"api_key\":\"" + UUID.randomUUID() + "\"}}";
        for (final Reply reply : new Reply[] {
            http.put("/api/v1/domains/" + unknown, body),
            http.put("/api/v1/domains/" + unknown + "/ice_server_address", body),
            http.uploadPublicKey(unknown, "key", keys.pkcs1()),
            http.get("/api/v1/domains/" + unknown),
            http.put("/api/v1/domains/not-a-uuid", body)})
        {
            assertEquals(404, reply.status(), reply.body().toString());
            assertEquals("DomainId does not match a domain", reply.error());
        }
        final Reply key = http.get("/api/v1/domains/" + unknown + "/public_key");
        assertEquals(404, key.status());
        assertEquals("No domain", key.error());
    }

    @Test
    void errorHandleHeaderTurnsEveryFailureIntoBadRequest() throws Exception
    {
        final Domain domain = http.createTemporary();
        final String[] header = {"x-vircadia-error-handle", "badrequest"};
        final Reply unauthorized =
            http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"api_key\":\"x\"}}", header);
        assertEquals(400, unauthorized.status());
        assertEquals("Domain not authorized", unauthorized.error());
        assertEquals(400, http.put("/api/v1/domains/" + UUID.randomUUID(), "{}", header).status());
    }

    @Test
    void bodyMissingItsClosingBraceIsAcceptedAsOldDomainServersSendIt() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.put("/api/v1/domains/" + domain.id(),
            "{\"domain\":{\"api_key\":\"" + domain.apiKey() + "\",\"heartbeat\":{\"num_users\":2}}");
        assertEquals(200, reply.status(), reply.body().toString());
        assertEquals(2, http.domainInfo(domain.id()).path("num_users").asInt());
    }

    @Test
    void malformedJsonIsBadRequestWithJsonError() throws Exception
    {
        final Domain domain = http.createTemporary();
        final long before = appliance.metric("switchboard_metaverse_failures_total{reason=\"malformed_json\"}");
        final Reply reply = http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"api_key\":");
        assertEquals(400, reply.status());
        assertEquals("failure", reply.body().path("status").asText());
        assertEquals("JSON parse error", reply.error());
        assertEquals(before + 1, appliance.metric("switchboard_metaverse_failures_total{reason=\"malformed_json\"}"));
    }

    @Test
    void wrongMethodIsMethodNotAllowedAndUnknownPathNotFound() throws Exception
    {
        final Domain domain = http.createTemporary();
        final long before = appliance.metric("switchboard_metaverse_failures_total{reason=\"bad_method\"}");
        assertEquals(405, http.post("/api/v1/domains/" + domain.id() + "/public_key", "{}").status());
        assertEquals(405, http.get("/api/v1/domains/" + domain.id() + "/ice_server_address").status());
        assertEquals(405, http.put("/api/v1/domains", "{}").status());
        assertEquals(before + 3, appliance.metric("switchboard_metaverse_failures_total{reason=\"bad_method\"}"));
        assertEquals(404, http.get("/api/v1/nothing").status());
    }

    @Test
    void bodyOverTheLimitIsRefusedAndCounted() throws Exception
    {
        final Domain domain = http.createTemporary();
        final long before = appliance.metric("switchboard_metaverse_failures_total{reason=\"body_too_large\"}");
        final Reply reply = http.put("/api/v1/domains/" + domain.id(),
            "{\"domain\":{\"description\":\"" + "x".repeat(5000) + "\"}}");
        assertEquals(413, reply.status());
        assertEquals("failure", reply.body().path("status").asText());
        assertEquals(before + 1, appliance.metric("switchboard_metaverse_failures_total{reason=\"body_too_large\"}"));
        assertEquals(200, http.setIceServerAddress(domain, "0.0.0.0").status(), "the listener carries on");
    }

    @Test
    void chunkedBodyOverTheLimitToAWorkerEndpointIsRefusedCountedAndTheListenerCarriesOn() throws Exception
    {
        final long before = appliance.metric("switchboard_metaverse_failures_total{reason=\"body_too_large\"}");
        final byte[] big = ("{\"domain\":{\"description\":\"" + "x".repeat(5000) + "\"}}").getBytes(StandardCharsets.UTF_8);
        try
        {
            // A chunk past the limit makes Undertow cut the connection, which the client may see before any reply.
            final Reply reply = http.send(http.request("/api/v1/domains/temporary")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
            assertEquals(413, reply.status());
        }
        catch (final IOException cut)
        {
            // Refused without a reply.
        }
        // The cut may reach the client before the worker that read the body has counted it.
        assertEquals(before + 1,
            appliance.awaitMetric("switchboard_metaverse_failures_total{reason=\"body_too_large\"}", before + 1));
        assertEquals(404, http.get("/api/v1/domains/" + UUID.randomUUID()).status(), "the listener carries on");
    }

    @Test
    void requestsAreCountedByEndpoint() throws Exception
    {
        final String series = "switchboard_metaverse_requests_total{endpoint=\"temporary_create\"}";
        final long before = appliance.metric(series);
        http.createTemporary();
        assertEquals(before + 1, appliance.metric(series));
    }

    @Test
    void invalidHeartbeatValuesAreSkippedAndTheHeartbeatStillCounts() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"api_key\":\"" + domain.apiKey() +
            "\",\"version\":42,\"restricted\":\"yes\",\"network_port\":\"40102\",\"maturity\":\"extreme\"," +
            "\"heartbeat\":{\"num_users\":-1}}}");
        assertEquals(200, reply.status());
        final JsonNode info = http.domainInfo(domain.id());
        assertFalse(info.has("version"));
        assertFalse(info.has("restricted"));
        assertEquals(40102, info.path("network_port").asInt(), "numeric strings are ports too");
        assertEquals("unrated", info.path("maturity").asText());
        assertEquals(0, info.path("num_users").asInt());
        assertTrue(info.path("active").asBoolean());
    }

    @Test
    void keyUploadAfterTheDomainServerRegeneratesItsKeyIsAckedAtOnce() throws Exception
    {
        final Domain domain = http.createTemporary();
        assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
        final DomainServerKeys regenerated = DomainServerKeys.rsa(2048);
        try (UdpPeer domainServer = new UdpPeer(appliance.icePort()))
        {
            final int port = domainServer.localPort();
            assertEquals(DomainServerKeys.ACK, domainServer.exchange(keys.heartbeat(domain.id(), 1, port))[4]);
            assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), regenerated.pkcs1()).status());
            assertEquals(DomainServerKeys.ACK, domainServer.exchange(regenerated.heartbeat(domain.id(), 2, port))[4]);
            assertEquals(DomainServerKeys.DENIED, domainServer.exchange(keys.heartbeat(domain.id(), 3, port))[4],
                "the old key no longer verifies");
        }
        final byte[] served = Base64.getDecoder().decode(
            http.get("/api/v1/domains/" + domain.id() + "/public_key").body().path("data").path("public_key").asText());
        assertArrayEquals(regenerated.spki(), served);
    }

    @Test
    void localMetaverseStillServesWhenARemoteOneIsConfiguredForOtherKeys(@TempDir final Path otherDataDir)
        throws Exception
    {
        try (MetaverseAppliance withRemote =
            MetaverseAppliance.start(otherDataDir, "--metaverse-url=http://127.0.0.1:9/unreachable"))
        {
            final Domain domain = withRemote.http().createTemporary();
            assertEquals(200, withRemote.http().uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
            try (UdpPeer domainServer = new UdpPeer(withRemote.icePort()))
            {
                final byte[] reply = domainServer.exchange(keys.heartbeat(domain.id(), 1, domainServer.localPort()));
                assertEquals(DomainServerKeys.ACK, reply[4], "the local key is used; nothing is fetched");
            }
        }
    }
}
