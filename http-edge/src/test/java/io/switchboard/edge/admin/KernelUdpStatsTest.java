package io.switchboard.edge.admin;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class KernelUdpStatsTest
{
    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
        + "   uid  timeout inode ref pointer drops";

    @TempDir
    Path dir;

    @Test
    void dropsAndQueuedBytesOfTheListenersPortsAreSummedOverIpv4AndIpv6Sockets() throws Exception
    {
        final Path udp = Files.writeString(dir.resolve("udp"), String.join("\n", HEADER,
            "  639: 0100007F:1CA9 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 450397 2"
                + " 00000000a6850ee1 17",
            "  640: 0100007F:13A0 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 450398 2"
                + " 00000000a6850ee2 3",
            "  641: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 450399 2"
                + " 00000000a6850ee3 999",
            "  garbage line"));
        final Path udp6 = Files.writeString(dir.resolve("udp6"), String.join("\n",
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr"
                + " tm->when retrnsmt   uid  timeout inode ref pointer drops",
            "  7: 00000000000000000000000001000000:1CA9 00000000000000000000000000000000:0000 07 00000000:00000100"
                + " 00:00000000 00000000     0        0 45 2 0000000000000000 5"));
        final Metrics metrics = new Metrics();
        final KernelUdpStats stats = new KernelUdpStats(
            metrics, Map.of("ice", 7337, "pulse", 5024), List.of(udp, udp6, dir.resolve("missing")));

        stats.run();

        final String text = PrometheusText.render(metrics);
        assertTrue(text.contains("switchboard_udp_kernel_drops_total{listener=\"ice\"} 22\n"), text);
        assertTrue(text.contains("switchboard_udp_kernel_receive_queue_bytes{listener=\"ice\"} 2816\n"), text);
        assertTrue(text.contains("switchboard_udp_kernel_drops_total{listener=\"pulse\"} 3\n"), text);
        assertTrue(text.contains("# TYPE switchboard_udp_kernel_receive_queue_bytes gauge\n"), text);
    }

    @Test
    void withoutProcTheCountersStayZero()
    {
        final Metrics metrics = new Metrics();
        new KernelUdpStats(metrics, Map.of("ice", 7337), List.of(dir.resolve("none"))).run();
        assertTrue(PrometheusText.render(metrics).contains("switchboard_udp_kernel_drops_total{listener=\"ice\"} 0\n"));
    }
}
