package io.switchboard.engine.table;

import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens Chronicle maps the ways switchboard does: off-heap in memory for soft state; persisted files for user state
 * only through {@link TableFiles}, which checks them first.
 */
public final class ChronicleTables
{
    static
    {
        // Nothing may phone home; the artifact is excluded from the build too.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private ChronicleTables()
    {
    }

    public static <K, V> ChronicleMap<K, V> inMemory(final ChronicleMapBuilder<K, V> builder)
    {
        return builder.create();
    }

    /** A new, empty persisted map in {@code file}, which must not exist. */
    static <K, V> ChronicleMap<K, V> create(final ChronicleMapBuilder<K, V> builder, final Path file)
        throws IOException
    {
        if (Files.exists(file))
        {
            throw new IOException(file + " exists");
        }
        return builder.createPersistedTo(file.toFile());
    }

    /** Opens {@code file} with Chronicle's crash recovery, which tells {@code listener} what it had to repair. */
    static <K, V> ChronicleMap<K, V> recover(
        final ChronicleMapBuilder<K, V> builder, final Path file, final ChronicleHashCorruption.Listener listener)
        throws IOException
    {
        return builder.recoverPersistedTo(file.toFile(), false, listener);
    }
}
