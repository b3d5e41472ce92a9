package io.switchboard.edge.metaverse;

import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code PUT /api/v1/domains/{id}/public_key}: the formats accepted, and the keys refused with a clear 400. */
class DomainKeyUploadTest
{
    @TempDir
    static Path dataDir;

    private static MetaverseAppliance appliance;
    private static MetaverseHttp http;
    private static DomainServerKeys keys;

    @BeforeAll
    static void start() throws Exception
    {
        appliance = MetaverseAppliance.start(dataDir, "--temp-domain-burst=1000");
        http = appliance.http();
        keys = DomainServerKeys.rsa(2048);
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    private byte[] servedKey(final Domain domain) throws Exception
    {
        return Base64.getDecoder().decode(
            http.get("/api/v1/domains/" + domain.id() + "/public_key").body().path("data").path("public_key").asText());
    }

    private static byte[] pem(final String label, final byte[] der)
    {
        return ("-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) +
            "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private Reply refused(final byte[] key) throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.uploadPublicKey(domain.id(), domain.apiKey(), key);
        assertEquals(400, reply.status(), reply.body().toString());
        assertEquals("failure", reply.body().path("status").asText());
        assertEquals("", http.get("/api/v1/domains/" + domain.id() + "/public_key").body()
            .path("data").path("public_key").asText(), "nothing is stored");
        return reply;
    }

    @Test
    void spkiDerAndBothPemArmoursAreAcceptedAndServedAsSpki() throws Exception
    {
        for (final byte[] upload : new byte[][] {keys.spki(), pem("PUBLIC KEY", keys.spki()),
            pem("RSA PUBLIC KEY", keys.pkcs1())})
        {
            final Domain domain = http.createTemporary();
            assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), upload).status());
            assertArrayEquals(keys.spki(), servedKey(domain));
        }
    }

    @Test
    void nonRsaKeyIsRefused() throws Exception
    {
        final KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        final Reply reply = refused(ec.generateKeyPair().getPublic().getEncoded());
        assertEquals("public key must be RSA, not EC", reply.error());
    }

    @Test
    void shortRsaKeyIsRefused() throws Exception
    {
        final Reply reply = refused(DomainServerKeys.rsa(1024).spki());
        assertEquals("RSA public key has 1024 bits; 2048 to 4096 are accepted", reply.error());
    }

    @Test
    void bytesThatAreNoKeyAreRefused() throws Exception
    {
        final byte[] truncated = java.util.Arrays.copyOf(keys.pkcs1(), 200);
        assertTrue(refused(truncated).error().contains("PKCS#1"));
        assertTrue(refused("not a key".getBytes(StandardCharsets.US_ASCII)).error().contains("PKCS#1"));
        final long before = appliance.metric("switchboard_metaverse_failures_total{reason=\"bad_key\"}");
        refused(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01});
        assertEquals(before + 1, appliance.metric("switchboard_metaverse_failures_total{reason=\"bad_key\"}"));
    }

    @Test
    void uploadWithoutPublicKeyPartIsRefused() throws Exception
    {
        final Domain domain = http.createTemporary();
        final byte[] body = ("------switchboard-test-boundary\r\n" +
            "Content-Disposition: form-data; name=\"api_key\"\r\n\r\n" +
            domain.apiKey() + "\r\n------switchboard-test-boundary--\r\n").getBytes(StandardCharsets.US_ASCII);
        final Reply reply = http.uploadMultipart(domain.id(), body);
        assertEquals(400, reply.status());
        assertEquals("no public key supplied", reply.error());
    }

    @Test
    void uploadThatIsNotMultipartIsRefused() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.send(http.request("/api/v1/domains/" + domain.id() + "/public_key")
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(keys.pkcs1())));
        assertEquals(400, reply.status());
        assertTrue(reply.error().contains("multipart/form-data"));
    }

    @Test
    void uploadWithWrongApiKeyIsUnauthorizedAndKeepsTheStoredKey() throws Exception
    {
        final Domain domain = http.createTemporary();
        assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
        final Reply reply = http.uploadPublicKey(domain.id(), "wrong", DomainServerKeys.rsa(2048).pkcs1());
        assertEquals(401, reply.status());
        assertEquals("Domain not authorized", reply.error());
        assertEquals(401, http.uploadPublicKey(domain.id(), "", keys.pkcs1()).status(), "an empty api_key is none");
        assertArrayEquals(keys.spki(), servedKey(domain));
    }

    @Test
    void bearerApiKeyWithAnEmptyApiKeyPartAuthenticatesAsForANamedDomain() throws Exception
    {
        final Domain domain = http.createTemporary();
        final Reply reply = http.uploadPublicKey(domain.id(), "", keys.pkcs1(),
            "Authorization", "Bearer " + domain.apiKey());
        assertEquals(200, reply.status(), reply.body().toString());
        assertArrayEquals(keys.spki(), servedKey(domain));
    }
}
