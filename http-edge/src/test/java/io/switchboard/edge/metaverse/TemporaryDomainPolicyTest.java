package io.switchboard.edge.metaverse;

import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The operator's limits on temporary domains: a per-host rate, or none at all. */
class TemporaryDomainPolicyTest
{
    @TempDir
    Path dataDir;

    @Test
    void temporaryDomainsBeyondTheBurstAreTooManyRequests() throws Exception
    {
        try (MetaverseAppliance appliance =
            MetaverseAppliance.start(dataDir, "--temp-domain-burst=2", "--temp-domain-rate=1"))
        {
            final MetaverseHttp http = appliance.http();
            http.createTemporary();
            http.createTemporary();
            final Reply refused = http.post("/api/v1/domains/temporary", "");
            assertEquals(429, refused.status());
            assertEquals("60", refused.headers().firstValue("Retry-After").orElse(null));
            assertEquals("failure", refused.body().path("status").asText());
            assertEquals(1, appliance.metric("switchboard_metaverse_failures_total{reason=\"rate_limited\"}"));
            assertEquals(2, appliance.metric("switchboard_metaverse_domains_created_total{kind=\"temporary\"}"));
            assertEquals(2, appliance.metric("switchboard_metaverse_domains"));
        }
    }

    @Test
    void disabledTemporaryDomainsAnswerWithTheIamusFailure() throws Exception
    {
        try (MetaverseAppliance appliance = MetaverseAppliance.start(dataDir, "--allow-temp-domains=false"))
        {
            final Reply reply = appliance.http().post("/api/v1/domains/temporary", "");
            assertEquals(200, reply.status());
            assertEquals("{\"status\":\"failure\",\"error\":\"domain temporary names not available\"}",
                reply.body().toString());
            assertEquals(0, appliance.metric("switchboard_metaverse_domains"));
        }
    }
}
