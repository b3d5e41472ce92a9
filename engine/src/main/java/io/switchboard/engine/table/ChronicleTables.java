package io.switchboard.engine.table;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens Chronicle maps the one way switchboard does: off-heap in memory for soft state, persisted for user state. */
public final class ChronicleTables
{
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleTables.class);

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

    /**
     * Opens or creates a persisted map. An existing file is opened with recovery, because the process that wrote it
     * may have been killed while holding a segment lock; the data dir lock guarantees we are its only user.
     */
    public static <K, V> ChronicleMap<K, V> persisted(final ChronicleMapBuilder<K, V> builder, final File file)
    {
        try
        {
            if (file.exists() && file.length() > 0)
            {
                LOG.info("recovering {}", file);
                return builder.recoverPersistedTo(file, true);
            }
            final File parent = file.getAbsoluteFile().getParentFile();
            if (!parent.isDirectory() && !parent.mkdirs())
            {
                throw new IOException("cannot create " + parent);
            }
            return builder.createPersistedTo(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
    }
}
