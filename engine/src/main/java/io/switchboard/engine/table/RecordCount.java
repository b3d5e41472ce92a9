package io.switchboard.engine.table;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The record count kept beside a table file ({@code FILE.count}): how the table was left, how many records it held
 * then and how long the file was, in a few text lines an operator can read, closed by a CRC32C of the lines above.
 * It is replaced atomically (written aside, synced, renamed), so a reader sees the old or the new one, never a mix.
 * <ul>
 * <li>{@link #CLEAN}: written after the table was closed; the file must hold exactly these records and bytes.</li>
 * <li>{@link #OPEN}: written once the table is opened; a kill -9 leaves it so, and then the count promises nothing
 * (writes after it may have added or removed records), so it is reported, never enforced.</li>
 * <li>{@link #DAMAGED}: a check found damage only after Chronicle's crash recovery had rewritten the file's
 * indexes; the mark keeps the appliance refusing the file until the operator recovers it.</li>
 * </ul>
 */
public record RecordCount(String state, long records, long fileBytes, String damage)
{
    public static final String CLEAN = "clean";
    public static final String OPEN = "open";
    public static final String DAMAGED = "damaged";
    public static final String SUFFIX = ".count";

    private static final String CRC_KEY = "crc32c";

    public static Path besides(final Path tableFile)
    {
        return tableFile.resolveSibling(tableFile.getFileName() + SUFFIX);
    }

    public static RecordCount clean(final long records, final long fileBytes)
    {
        return new RecordCount(CLEAN, records, fileBytes, "");
    }

    public static RecordCount open(final long records, final long fileBytes)
    {
        return new RecordCount(OPEN, records, fileBytes, "");
    }

    public static RecordCount damaged(final String damage)
    {
        return new RecordCount(DAMAGED, -1, -1, damage);
    }

    public boolean isClean()
    {
        return CLEAN.equals(state);
    }

    public boolean isDamaged()
    {
        return DAMAGED.equals(state);
    }

    /**
     * The count beside {@code tableFile}; null when there is none.
     *
     * @throws IllegalArgumentException when it exists but cannot be trusted (bad checksum or form)
     */
    public static RecordCount read(final Path tableFile) throws IOException
    {
        final String text;
        try
        {
            text = Files.readString(besides(tableFile), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final int crcLine = text.lastIndexOf(CRC_KEY + ' ');
        if (crcLine < 0 || !text.endsWith("\n"))
        {
            throw new IllegalArgumentException("no checksum line");
        }
        final String body = text.substring(0, crcLine);
        final String stored = text.substring(crcLine + CRC_KEY.length() + 1, text.length() - 1);
        if (!stored.equals(crcOf(body)))
        {
            throw new IllegalArgumentException("checksum does not match");
        }
        String state = null;
        long records = -1;
        long fileBytes = -1;
        String damage = "";
        for (final String line : body.split("\n"))
        {
            final int space = line.indexOf(' ');
            final String key = space < 0 ? line : line.substring(0, space);
            final String value = space < 0 ? "" : line.substring(space + 1);
            switch (key)
            {
                case "state" -> state = value;
                case "records" -> records = Long.parseLong(value);
                case "file-bytes" -> fileBytes = Long.parseLong(value);
                case "damage" -> damage = value;
                default -> throw new IllegalArgumentException("unknown line " + key);
            }
        }
        if (!CLEAN.equals(state) && !OPEN.equals(state) && !DAMAGED.equals(state))
        {
            throw new IllegalArgumentException("unknown state " + state);
        }
        return new RecordCount(state, records, fileBytes, damage);
    }

    /** Replaces the count beside {@code tableFile}, durably: written aside, synced, renamed over, directory synced. */
    public void write(final Path tableFile) throws IOException
    {
        final String body = "state " + state + "\nrecords " + records + "\nfile-bytes " + fileBytes + "\n" +
            (damage.isEmpty() ? "" : "damage " + damage.replace('\n', ' ') + "\n");
        final byte[] bytes = (body + CRC_KEY + ' ' + crcOf(body) + "\n").getBytes(StandardCharsets.UTF_8);
        final Path target = besides(tableFile);
        final Path aside = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(aside,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        TableFiles.syncDirectory(target.getParent());
    }

    private static String crcOf(final String body)
    {
        final CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
