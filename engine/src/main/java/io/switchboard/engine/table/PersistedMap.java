package io.switchboard.engine.table;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * A persisted table as {@link TableFiles#open} hands it out: the Chronicle map and the {@link IntentJournal} that
 * each writer fills, under the segment's update lock, before it changes an entry.
 */
public record PersistedMap<K, V>(ChronicleMap<K, V> map, IntentJournal journal)
{
}
