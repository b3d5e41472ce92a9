package io.switchboard.edge.admin;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel knows of the UDP listeners and the engine cannot count: datagrams dropped because a socket's
 * receive buffer was full, and the bytes waiting in it. Read from Linux's {@code /proc/net/udp} and {@code udp6}
 * (sockets bound to the listener's port) into counters just before each scrape; elsewhere they stay 0.
 */
public final class KernelUdpStats implements Runnable
{
    static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
    /** Columns of a table line, split on spaces: local address (ADDR:PORT), tx:rx queues, then drops last. */
    private static final int LOCAL_ADDRESS = 1;
    private static final int QUEUES = 4;

    private final List<Path> tables;
    private final Map<Integer, AtomicCounter> dropsByPort = new HashMap<>();
    private final Map<Integer, AtomicCounter> queuedByPort = new HashMap<>();
    private final Map<Integer, long[]> sums = new HashMap<>();

    public KernelUdpStats(final Metrics metrics, final Map<String, Integer> listenerPorts)
    {
        this(metrics, listenerPorts, TABLES);
    }

    KernelUdpStats(final Metrics metrics, final Map<String, Integer> listenerPorts, final List<Path> tables)
    {
        this.tables = tables;
        listenerPorts.forEach((listener, port) ->
        {
            final String label = "listener=\"" + listener + "\"";
            dropsByPort.put(port, metrics.counter("switchboard_udp_kernel_drops_total", label,
                "Datagrams the kernel dropped before the engine read them (receive buffer full), per /proc/net/udp."));
            queuedByPort.put(port, metrics.gauge("switchboard_udp_kernel_receive_queue_bytes", label,
                "Bytes waiting in the listener's socket receive buffer at the last scrape."));
            sums.put(port, new long[2]);
        });
    }

    /** Refreshes the counters; called on the admin thread before the metrics are rendered. */
    @Override
    public synchronized void run()
    {
        sums.values().forEach(sum -> sum[0] = sum[1] = -1);
        for (final Path table : tables)
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(table);
            }
            catch (final IOException | RuntimeException ex)
            {
                continue;
            }
            for (int i = 1; i < lines.size(); i++)
            {
                accumulate(lines.get(i).trim().split("\\s+"));
            }
        }
        sums.forEach((port, sum) ->
        {
            if (sum[0] >= 0)
            {
                dropsByPort.get(port).setRelease(sum[0]);
                queuedByPort.get(port).setRelease(sum[1]);
            }
        });
    }

    private void accumulate(final String[] columns)
    {
        if (columns.length <= QUEUES + 1)
        {
            return;
        }
        try
        {
            final String local = columns[LOCAL_ADDRESS];
            final long[] sum = sums.get(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
            if (sum == null)
            {
                return;
            }
            final String queues = columns[QUEUES];
            sum[0] = Math.max(sum[0], 0) + Long.parseLong(columns[columns.length - 1]);
            sum[1] = Math.max(sum[1], 0) + Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
        }
        catch (final RuntimeException ex)
        {
            // A line of another shape (a future kernel's) is skipped, never fatal to a scrape.
        }
    }
}
