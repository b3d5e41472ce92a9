package io.switchboard.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorLogPruneTest
{
    @TempDir
    Path dir;

    @Test
    void onlyTheNewestErrorLogsOfUncleanStopsAreKept() throws IOException
    {
        final ClusterContext context = new ClusterContext().members("127.0.0.1:9000").clusterDir(dir.toFile())
            .conclude();
        final File[] dirs = {context.clusterDir(), context.consensusDir(), context.archiveDir()};
        final long now = System.currentTimeMillis();
        for (int i = 0; i < 15; i++)
        {
            final File parent = dirs[i % dirs.length];
            Files.createDirectories(parent.toPath());
            final Path log = parent.toPath().resolve("2026-12-05-00-00-" + i + "-error.log");
            Files.writeString(log, "error " + i);
            assertTrue(log.toFile().setLastModified(now - (15 - i) * 60_000L));
        }
        final Path other = Files.writeString(dir.resolve("node-state.dat"), "kept");
        assertTrue(other.toFile().setLastModified(now - 3_600_000L));

        ClusterNode.pruneErrorLogs(context);

        final Set<String> left = new TreeSet<>();
        for (final File parent : dirs)
        {
            for (final File file : parent.listFiles((p, name) -> name.endsWith("-error.log")))
            {
                left.add(file.getName());
            }
        }
        final Set<String> newest = new TreeSet<>();
        for (int i = 15 - ClusterNode.KEPT_ERROR_LOGS; i < 15; i++)
        {
            newest.add("2026-12-05-00-00-" + i + "-error.log");
        }
        assertEquals(newest, left);
        assertTrue(Files.exists(other));
    }
}
