package io.switchboard.edge;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.ice.IceContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextsTest
{
    @Test
    void theDefaultsOfTheOptionsAreTheContextsOwn()
    {
        final EngineContext engine = Contexts.engine(Options.parse());
        final IceContext ice = Contexts.ice(Options.parse(), engine);
        assertEquals(EngineContext.DEFAULT_THREADING, engine.threading());
        assertEquals(EngineContext.DEFAULT_WAIT_STRATEGY, engine.waitStrategy());
        assertEquals(EngineContext.DEFAULT_RING_SIZE, engine.ringSize());
        assertEquals(IceContext.DEFAULT_ICE_PORT, ice.icePort());
        assertEquals(IceContext.DEFAULT_ICE_VERIFY_PROVIDER, ice.iceVerifyProvider());
        assertEquals(IceContext.DEFAULT_ICE_MAX_DOMAINS, ice.iceMaxDomains());
    }

    @Test
    void theClusterThreadsSleepsComeFromTheirFlags()
    {
        final Path dataDir = Path.of("/tmp/switchboard-contexts-test");
        final ClusterContext defaults = Contexts.cluster(Options.parse("--cluster-members=127.0.0.1:9000"), dataDir);
        assertEquals(ClusterContext.DEFAULT_IO_PARK_US, defaults.ioParkUs());
        assertEquals(ClusterContext.DEFAULT_MAX_PARK_US, defaults.maxParkUs());
        final ClusterContext set = Contexts.cluster(Options.parse("--cluster-members=127.0.0.1:9000",
            "--cluster-io-park-us=0", "--cluster-max-park-us=100"), dataDir);
        assertEquals(0, set.ioParkUs());
        assertEquals(100, set.maxParkUs());
        assertNull(Contexts.cluster(Options.parse(), dataDir), "one box: no cluster");
    }

    @Test
    void choicesAreReadOnceAsEnums()
    {
        final EngineContext engine = Contexts.engine(
            Options.parse("--engine-threading=dedicated", "--engine-wait=busy-spin"));
        assertEquals(EngineContext.Threading.DEDICATED, engine.threading());
        assertEquals(EngineContext.HandlerWait.BUSY_SPIN, engine.waitStrategy());
        assertEquals(IceContext.VerifyProvider.JDK,
            Contexts.ice(Options.parse("--ice-verify-provider=jdk"), engine).iceVerifyProvider());
        assertEquals("--engine-threading must be one of [shared, dedicated]: both",
            assertThrows(IllegalArgumentException.class,
                () -> Contexts.engine(Options.parse("--engine-threading=both"))).getMessage());
    }

    @Test
    void proxyProtocolNeedsTrustedProxiesAndABadBlockIsRefusedByName()
    {
        final String message = assertThrows(IllegalArgumentException.class,
            () -> Contexts.httpEdge(Options.parse("--proxy-protocol=true"))).getMessage();
        assertTrue(message.contains("--trusted-proxies"), message);
        assertTrue(Contexts.httpEdge(Options.parse("--proxy-protocol=true", "--trusted-proxies=10.0.0.0/8, ::1"))
            .proxyProtocol());
        assertEquals("prefix longer than the address: '10.0.0.0/33'", assertThrows(IllegalArgumentException.class,
            () -> Contexts.httpEdge(Options.parse("--trusted-proxies=10.0.0.0/33"))).getMessage());
    }

    @Test
    void hifiMetaverseUrlIsTheMetaverseWhenTheFlagIsUnset()
    {
        final EngineContext engine = Contexts.engine(Options.parse());
        final UnaryOperator<String> environment =
            name -> Contexts.METAVERSE_URL_VARIABLE.equals(name) ? "http://mv.example:9400" : null;
        assertEquals("http://mv.example:9400", Contexts.ice(Options.parse(), engine, environment).metaverseUrl());
        assertEquals("http://flag.example", Contexts.ice(
            Options.parse("--metaverse-url=http://flag.example"), engine, environment).metaverseUrl(), "the flag wins");
        assertNull(Contexts.ice(Options.parse(), engine, name -> " ").metaverseUrl(), "blank is unset");
        assertNull(Contexts.ice(Options.parse(), engine, name -> null).metaverseUrl());
    }

    @Test
    void theIceServerSizesItsBuffersByTheEnginesDatagrams()
    {
        final EngineContext engine = Contexts.engine(Options.parse("--max-datagram-bytes=1500"));
        assertEquals(1500, Contexts.ice(Options.parse(), engine).maxDatagramBytes());
    }

    @Test
    void everyDomainKeyReachesTheIceServer()
    {
        final IceContext ice = Contexts.ice(
            Options.parse("--domain-key=a:b", "--domain-key=c:d"), Contexts.engine(Options.parse()));
        assertEquals(List.of("a:b", "c:d"), ice.domainKeys());
    }

    @Test
    void aValueOutOfRangeIsRefusedByTheContextThatOwnsIt()
    {
        assertEquals("key fetch max backoff ms must be in [1000, 86400000]: 999",
            assertThrows(IllegalArgumentException.class, () -> Contexts.ice(
                Options.parse("--key-fetch-max-backoff-ms=999"), Contexts.engine(Options.parse()))).getMessage());
    }
}
