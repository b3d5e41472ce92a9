package io.switchboard.engine.table;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapQueryContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.RandomAccessFile;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The intent journal beside a persisted table ({@code FILE.intents}): before a writer changes an entry in place,
 * it writes the complete new record (key and value bytes as Chronicle stores them, or a removal mark) with an
 * xxHash64 into the slot of the entry's segment, while it holds that segment's update lock. A kill -9 in the middle
 * of Chronicle's write leaves an entry whose checksum fails, which Chronicle's recovery drops; the slot still holds
 * what the entry was to become, and {@link #replay} writes it again.
 * <p>
 * One slot per segment, written under the segment's update lock, so each slot always holds the latest change made
 * to any key of its segment: every later change to a key of that segment, a removal included, overwrites the slot
 * first. A slot's record is therefore the newest intended state of its key, never a stale one, and writing it
 * again can only finish what was started. The journal starts empty at every open, and is read only after a kill:
 * a table stopped cleanly, or restored from a backup, has a clean count, and no journal speaks for it.
 * <p>
 * The file is memory-mapped and never forced: a kill -9 keeps every byte written to the page cache, which is all
 * this journal guards against; a power loss (like Chronicle's own writes, which are not forced either) is out of
 * its scope.
 * <p>
 * Slot layout, in native byte order as Chronicle's own (little-endian where switchboard runs): xxHash64 of the
 * rest (8), key size (4), value size or {@link #REMOVAL} (4), key bytes, value bytes. File: magic (4), version
 * (4), slots (4), slot bytes (4), then the slots from {@link #SLOTS_AT}.
 */
public final class IntentJournal implements AutoCloseable
{
    private static final String SUFFIX = ".intents";

    private static final int MAGIC = 0x4a49_4253;
    private static final int VERSION = 1;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int SLOTS_OFFSET = 8;
    private static final int SLOT_BYTES_OFFSET = 12;
    private static final int SLOTS_AT = 64;
    private static final int HASH_OFFSET = 0;
    private static final int KEY_SIZE_OFFSET = 8;
    private static final int VALUE_SIZE_OFFSET = 12;
    private static final int KEY_OFFSET = 16;
    private static final int REMOVAL = -1;
    private static final int SLOT_ALIGNMENT = 64;
    private static final LongHashFunction HASH = LongHashFunction.xx_r39();

    private final long address;
    private final long length;
    private final BytesStore<?, ?> store;
    private final int slots;
    private final int slotBytes;

    private IntentJournal(final long address, final long length, final int slots, final int slotBytes)
    {
        this.address = address;
        this.length = length;
        this.store = BytesStore.wrap(address, length);
        this.slots = slots;
        this.slotBytes = slotBytes;
    }

    public static Path besides(final Path tableFile)
    {
        return tableFile.resolveSibling(tableFile.getFileName() + SUFFIX);
    }

    /**
     * A new, empty journal beside {@code tableFile} for {@code map}, replacing the one there: made aside, then
     * renamed over it, so a kill leaves the old or the new one.
     *
     * @param maxRecordBytes the largest key and value together that a writer of the table stores
     */
    static IntentJournal create(final Path tableFile, final ChronicleMap<?, ?> map, final int maxRecordBytes)
        throws IOException
    {
        final int slots = map.segments();
        final int slotBytes = (KEY_OFFSET + maxRecordBytes + SLOT_ALIGNMENT - 1) & -SLOT_ALIGNMENT;
        final long length = OS.pageAlign(SLOTS_AT + (long)slots * slotBytes);
        final Path target = besides(tableFile);
        final Path fresh = target.resolveSibling(target.getFileName() + ".new");
        Files.deleteIfExists(fresh);
        try (RandomAccessFile file = new RandomAccessFile(fresh.toFile(), "rw"))
        {
            // Sparse: only the slots written take disk space.
            file.setLength(length);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        final IntentJournal journal = new IntentJournal(map(target, length), length, slots, slotBytes);
        journal.store.writeInt(SLOTS_OFFSET, slots);
        journal.store.writeInt(SLOT_BYTES_OFFSET, slotBytes);
        journal.store.writeInt(VERSION_OFFSET, VERSION);
        journal.store.writeInt(MAGIC_OFFSET, MAGIC);
        return journal;
    }

    /**
     * After Chronicle's recovery of a table a process was killed in: writes every intact record of the journal
     * beside {@code tableFile} whose entry is not what it was to become (dropped as torn, or left half-written);
     * records whose entries are already complete are left alone. By the slot rule above, a record can never undo a
     * later change, a later removal included: that change would have overwritten the record first.
     *
     * @return the records written again; 0 when there is no journal
     */
    static <K, V> int replay(final Path tableFile, final ChronicleMap<K, V> map) throws IOException
    {
        final Path path = besides(tableFile);
        if (!Files.exists(path) || Files.size(path) < SLOTS_AT)
        {
            return 0;
        }
        final long length = OS.pageAlign(Files.size(path));
        final long address = map(path, length);
        final BytesStore<?, ?> header = BytesStore.wrap(address, SLOTS_AT);
        final int slots = header.readInt(SLOTS_OFFSET);
        final int slotBytes = header.readInt(SLOT_BYTES_OFFSET);
        try (IntentJournal journal = new IntentJournal(address, length, slots, slotBytes))
        {
            if (header.readInt(MAGIC_OFFSET) != MAGIC || header.readInt(VERSION_OFFSET) != VERSION || slots < 0 ||
                slotBytes < KEY_OFFSET || SLOTS_AT + (long)slots * slotBytes > Files.size(path))
            {
                // Not a journal this version wrote whole: nothing in it can be trusted.
                return 0;
            }
            int written = 0;
            for (int slot = 0; slot < slots; slot++)
            {
                if (journal.intact(slot) && journal.reapply(slot, map))
                {
                    written++;
                }
            }
            return written;
        }
    }

    /**
     * Under the update lock of {@code context}'s segment, before changing it: its key is to hold {@code value}.
     *
     * @return the value as the journal holds it, to write into the table: a copy of its bytes, not a second
     * serialization
     */
    public <V> Data<V> intendPut(final MapQueryContext<?, V, ?> context, final Data<V> value)
    {
        final long valueAt = stage(context, value);
        seal(context);
        return context.wrapValueBytesAsData(store, valueAt, value.size());
    }

    /** Under the update lock of {@code context}'s segment, before removing its key's entry. */
    public void intendRemoval(final MapQueryContext<?, ?, ?> context)
    {
        final long slot = stageKey(context, REMOVAL);
        store.writeInt(slot + VALUE_SIZE_OFFSET, REMOVAL);
        seal(context);
    }

    /**
     * Under the update lock: copies {@code value} into the slot of {@code context}'s segment for the caller to change
     * there, through {@link #bytes()}, before {@link #seal}.
     *
     * @return where the copy starts in {@link #bytes()}
     */
    public long stage(final MapQueryContext<?, ?, ?> context, final Data<?> value)
    {
        final long size = value.size();
        final long slot = stageKey(context, size);
        final long valueAt = slot + KEY_OFFSET + store.readInt(slot + KEY_SIZE_OFFSET);
        store.writeInt(slot + VALUE_SIZE_OFFSET, (int)size);
        value.writeTo(store, valueAt);
        return valueAt;
    }

    /** The journal's bytes, for changing a staged copy in place. */
    public RandomDataOutput<?> bytes()
    {
        return store;
    }

    /** Completes the staged record: its hash, then a fence so no byte of the table's write can precede it. */
    public void seal(final MapQueryContext<?, ?, ?> context)
    {
        final long slot = slotAt(context.segmentIndex());
        store.writeLong(slot + HASH_OFFSET, hash(slot));
        VarHandle.releaseFence();
    }

    private long stageKey(final MapQueryContext<?, ?, ?> context, final long valueSize)
    {
        final Data<?> key = context.queriedKey();
        final long slot = slotAt(context.segmentIndex());
        if (KEY_OFFSET + key.size() + Math.max(0, valueSize) > slotBytes)
        {
            throw new IllegalArgumentException("a record of " + (key.size() + valueSize) +
                " bytes exceeds the intent journal's slot of " + slotBytes);
        }
        store.writeInt(slot + KEY_SIZE_OFFSET, (int)key.size());
        key.writeTo(store, slot + KEY_OFFSET);
        return slot;
    }

    private boolean intact(final int slot)
    {
        final long at = slotAt(slot);
        final int keySize = store.readInt(at + KEY_SIZE_OFFSET);
        final int valueSize = store.readInt(at + VALUE_SIZE_OFFSET);
        return keySize > 0 && valueSize >= REMOVAL &&
            (long)KEY_OFFSET + keySize + Math.max(0, valueSize) <= slotBytes &&
            store.readLong(at + HASH_OFFSET) == hash(at);
    }

    private <K, V> boolean reapply(final int slot, final ChronicleMap<K, V> map)
    {
        final long at = slotAt(slot);
        final int keySize = store.readInt(at + KEY_SIZE_OFFSET);
        final int valueSize = store.readInt(at + VALUE_SIZE_OFFSET);
        final long valueAt = at + KEY_OFFSET + keySize;
        try (ExternalMapQueryContext<K, V, ?> context = map.queryContext(store, at + KEY_OFFSET, keySize))
        {
            context.updateLock().lock();
            final MapEntry<K, V> entry = context.entry();
            if (valueSize == REMOVAL)
            {
                if (entry == null)
                {
                    return false;
                }
                context.remove(entry);
                return true;
            }
            if (entry != null && entry.value().size() == valueSize && entry.value().equivalent(store, valueAt))
            {
                return false;
            }
            final Data<V> value = context.wrapValueBytesAsData(store, valueAt, valueSize);
            if (entry == null)
            {
                context.insert(context.absentEntry(), value);
            }
            else
            {
                context.replaceValue(entry, value);
            }
            return true;
        }
    }

    private long hash(final long slot)
    {
        final long length = KEY_OFFSET - KEY_SIZE_OFFSET + store.readInt(slot + KEY_SIZE_OFFSET) +
            Math.max(0, store.readInt(slot + VALUE_SIZE_OFFSET));
        return HASH.hashMemory(store.addressForRead(slot + KEY_SIZE_OFFSET), length);
    }

    private long slotAt(final int slot)
    {
        return SLOTS_AT + (long)slot * slotBytes;
    }

    /** Maps the whole file, however long: one slot per segment may pass the 2 GiB that a ByteBuffer maps. */
    private static long map(final Path path, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // The mapping outlives the channel, until close().
            return OS.map(channel, FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }

    /** Unmaps the journal; after its table is closed, when nobody writes it any more. */
    @Override
    public void close()
    {
        try
        {
            OS.unmap(address, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot unmap an intent journal", ex);
        }
    }
}
