package io.switchboard.edge;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.table.TableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The appliance's state directory, locked for the life of the process: persisted Chronicle files are checked and
 * opened with crash recovery, which is only safe when no other process has them open.
 */
public final class DataDirectory implements AutoCloseable
{
    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    public DataDirectory(final Path path)
    {
        this.path = path.toAbsolutePath();
        try
        {
            Files.createDirectories(this.path);
            lockChannel = FileChannel.open(
                this.path.resolve("switchboard.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot use data dir " + this.path, ex);
        }
        if (lock == null)
        {
            try
            {
                lockChannel.close();
            }
            catch (final IOException ignore)
            {
                // Reporting the lock conflict matters more.
            }
            throw new IllegalStateException("data dir " + this.path + " is in use by another switchboard");
        }
    }

    public Path path()
    {
        return path;
    }

    public Path resolve(final String file)
    {
        return path.resolve(file);
    }

    /** The persisted tables of this directory, checked as they open, damaged ones refused or recovered. */
    public TableFiles tableFiles(final boolean recoverDamaged, final long openTimeoutMs, final Metrics metrics)
    {
        return new TableFiles(path).recoverDamaged(recoverDamaged).openTimeoutMs(openTimeoutMs).metrics(metrics);
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
