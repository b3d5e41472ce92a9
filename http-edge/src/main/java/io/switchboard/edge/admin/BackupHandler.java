package io.switchboard.edge.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.engine.command.TableBackupCommand;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.table.TableFiles;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * {@code POST /backup?name=NAME} on the admin listener: a consistent copy of every persisted table into
 * {@code BACKUP_DIR/NAME} while the appliance runs, answered 200 with each table's record count once the copy is
 * synced to disk. Each table is copied by its owner: the engine's by the thread that writes them (asked through the
 * ring, so the copy holds every change the engine made before), the registry under its segment locks. The copy is
 * written into {@code NAME.partial} and renamed when complete, so a directory under its name is always whole; it is
 * a data dir: {@code --data-dir=BACKUP_DIR/NAME} starts from it. Refused: without {@code --backup-dir} (409), a
 * name that is not a plain file name (400), a target that exists and is not empty (409), a second backup while one
 * runs (409).
 */
public final class BackupHandler implements HttpHandler
{
    /** Copies one table into a directory and returns its record count. */
    @FunctionalInterface
    public interface TableBackup
    {
        long backupTo(Path directory) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackupHandler.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String PARTIAL = ".partial";
    /** Copying a million pulse clients takes seconds; a stalled disk must still get an answer. */
    private static final long ENGINE_TIMEOUT_MS = 300_000;

    private final Path root;
    private final Map<String, TableBackup> tables;
    private final ObjectMapper json;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicCounter copied;
    private final AtomicCounter refused;
    private final AtomicCounter failed;

    /**
     * @param root   where backups go ({@code --backup-dir}); null refuses every request
     * @param tables table name to its copier, in the order they are copied
     */
    public BackupHandler(
        final Path root, final Map<String, TableBackup> tables, final Metrics metrics, final ObjectMapper json)
    {
        this.root = root == null ? null : root.toAbsolutePath();
        this.tables = new LinkedHashMap<>(tables);
        this.json = json;
        final String help = "POST /backup requests by result: ok, refused (no --backup-dir, bad name, target not " +
            "empty, one running), failed.";
        copied = metrics.counter("switchboard_backups_total", "result=\"ok\"", help);
        refused = metrics.counter("switchboard_backups_total", "result=\"refused\"", help);
        failed = metrics.counter("switchboard_backups_total", "result=\"failed\"", help);
    }

    /** The engine's persisted tables, copied by their writer after every change the engine made before the call. */
    public static TableBackup engineTables(final CommandPublisher commands, final CommandReplies replies)
    {
        return directory ->
        {
            try (CommandReplies.Pending pending = replies.open())
            {
                commands.publishTableBackup(pending.correlationId(), directory.toString());
                final DirectBuffer answer = pending.await(ENGINE_TIMEOUT_MS);
                if (TableBackupCommand.outcome(answer) != TableBackupCommand.COPIED)
                {
                    throw new IOException("the engine could not copy its tables (see its log)");
                }
                return TableBackupCommand.records(answer);
            }
            catch (final TimeoutException ex)
            {
                throw new IOException("the engine did not copy its tables within " + ENGINE_TIMEOUT_MS + " ms", ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        };
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        if (exchange.isInIoThread())
        {
            // Copying waits on disks and the engine: a worker's job.
            exchange.dispatch(this);
            return;
        }
        if (root == null)
        {
            refuse(exchange, 409, "backups need --backup-dir");
            return;
        }
        final Deque<String> names = exchange.getQueryParameters().get("name");
        final String name = names == null ? null : names.peekFirst();
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(PARTIAL))
        {
            refuse(exchange, 400, "name must be 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
            return;
        }
        if (!running.compareAndSet(false, true))
        {
            refuse(exchange, 409, "a backup is running");
            return;
        }
        try
        {
            backUp(exchange, root.resolve(name));
        }
        finally
        {
            running.set(false);
        }
    }

    private void backUp(final HttpServerExchange exchange, final Path target) throws IOException
    {
        if (Files.exists(target) && !isEmptyDirectory(target))
        {
            refuse(exchange, 409, target + " exists and is not empty");
            return;
        }
        final Path partial = target.resolveSibling(target.getFileName() + PARTIAL);
        final ObjectNode body = json.createObjectNode().put("directory", target.toString());
        final ObjectNode records = body.putObject("records");
        try
        {
            Files.createDirectories(root);
            deleteFlat(partial);
            Files.createDirectory(partial);
            for (final Map.Entry<String, TableBackup> table : tables.entrySet())
            {
                records.put(table.getKey(), table.getValue().backupTo(partial));
            }
            TableFiles.syncDirectory(partial);
            Files.deleteIfExists(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            TableFiles.syncDirectory(root);
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("backup into {} failed", target, ex);
            failed.increment();
            send(exchange, 500, json.createObjectNode().put("error", "backup failed: " + ex.getMessage()));
            return;
        }
        copied.increment();
        LOG.info("backed up {} into {}", records, target);
        send(exchange, 200, body);
    }

    private void refuse(final HttpServerExchange exchange, final int status, final String error) throws IOException
    {
        refused.increment();
        send(exchange, status, json.createObjectNode().put("error", error));
    }

    private void send(final HttpServerExchange exchange, final int status, final ObjectNode body) throws IOException
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json.writeValueAsString(body));
    }

    private static boolean isEmptyDirectory(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            return !entries.iterator().hasNext();
        }
    }

    /** Removes a partial copy left by a backup that failed or was killed: our files only, no subdirectories. */
    private static void deleteFlat(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                Files.delete(entry);
            }
        }
        Files.delete(directory);
    }
}
