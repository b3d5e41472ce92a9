package io.switchboard.edge.metaverse;

import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A PUT body that is not one JSON object (a value followed by junk, an array, a string) is 400 "JSON parse error",
 * whether or not it carries credentials: never 401, never a 200 that changed nothing.
 */
final class BodyNotJsonTest
{
    private static final String MALFORMED = "switchboard_metaverse_failures_total{reason=\"malformed_json\"}";

    @TempDir
    static Path dataDir;
    private static MetaverseAppliance appliance;
    private static MetaverseHttp http;
    private static Domain domain;

    @BeforeAll
    static void start() throws Exception
    {
        appliance = MetaverseAppliance.start(dataDir);
        http = appliance.http();
        domain = http.createTemporary();
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} junk", "{\"domain\":{}} {", "1 x", "[]", "\"domain\"", "null", "true"})
    void aHeartbeatWhoseBodyIsNotOneJsonObjectIsBadRequest(final String body) throws Exception
    {
        final long before = appliance.metric(MALFORMED);
        assertBadRequest(http.put("/api/v1/domains/" + domain.id(), body));
        assertBadRequest(
            http.put("/api/v1/domains/" + domain.id(), body, "Authorization", "Bearer " + domain.apiKey()));
        assertEquals(before + 2, appliance.metric(MALFORMED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} junk", "[]", "\"domain\""})
    void anIceServerAddressWhoseBodyIsNotOneJsonObjectIsBadRequest(final String body) throws Exception
    {
        assertBadRequest(http.put("/api/v1/domains/" + domain.id() + "/ice_server_address", body));
    }

    private static void assertBadRequest(final Reply reply)
    {
        assertEquals(400, reply.status(), reply.body().toString());
        assertEquals("JSON parse error", reply.error());
    }
}
