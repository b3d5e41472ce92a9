package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The domain fields a domain-server may set with its heartbeat (spec §2.2) and descriptor (§2.3) PUTs, with Iamus'
 * validators: a value of the wrong type or out of range is skipped silently and the PUT still succeeds. Beyond
 * Iamus, every value is bounded in length so one record stays small.
 */
final class DomainFields
{
    static final int MAX_SHORT_CHARS = 128;
    static final int MAX_TEXT_CHARS = 1024;
    static final int MAX_LIST_ITEMS = 16;
    static final int MAX_LIST_ITEM_CHARS = 256;
    static final int MAX_NAME_CHARS = 32;

    private static final Set<String> MATURITIES = Set.of("unrated", "everyone", "teen", "mature", "adult");
    private static final Set<String> RESTRICTIONS = Set.of("open", "hifi", "acl");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9+\\-_.]*");

    private DomainFields()
    {
    }

    /** Copies the heartbeat and descriptor fields present in {@code domain}, then stamps the heartbeat time. */
    static void applyHeartbeat(final JsonNode domain, final DomainRecord record, final long nowMs)
    {
        record.version = text(domain.get("version"), MAX_SHORT_CHARS, record.version);
        record.protocol = text(domain.get("protocol"), MAX_SHORT_CHARS, record.protocol);
        record.networkAddress = text(domain.get("network_address"), MAX_SHORT_CHARS, record.networkAddress);
        record.networkPort = port(domain.get("network_port"), record.networkPort);
        record.automaticNetworking =
            text(domain.get("automatic_networking"), MAX_SHORT_CHARS, record.automaticNetworking);
        final JsonNode restricted = domain.get("restricted");
        if (restricted != null && restricted.isBoolean())
        {
            record.restricted = restricted.booleanValue();
        }
        applyDescriptors(domain, record);

        final JsonNode heartbeat = domain.path("heartbeat");
        record.numUsers = count(heartbeat.get("num_users"), record.numUsers);
        record.anonUsers = count(heartbeat.get("num_anon_users"), record.anonUsers);

        final JsonNode meta = domain.path("meta");
        applyDescriptors(meta, record);
        record.contactInfo = nonEmptyText(meta.get("contact_info"), MAX_TEXT_CHARS, record.contactInfo);
        record.thumbnail = nonEmptyText(meta.get("thumbnail"), MAX_TEXT_CHARS, record.thumbnail);
        record.images = list(meta.get("images"), record.images);
        final String worldName = nonEmptyText(meta.get("world_name"), MAX_NAME_CHARS, null);
        if (isName(worldName))
        {
            record.name = worldName;
        }
        record.lastHeartbeatMs = nowMs;
    }

    /** A domain name or label as Iamus validates it: a letter, then letters, digits or {@code +-_.}; 32 at most. */
    static boolean isName(final String value)
    {
        return value != null && value.length() <= MAX_NAME_CHARS && NAME.matcher(value).matches();
    }

    /** A string value of at most {@code maxChars}, or null when the node is absent or anything else. */
    static String text(final JsonNode node, final int maxChars)
    {
        return node != null && node.isTextual() && node.textValue().length() <= maxChars ? node.textValue() : null;
    }

    /** A TCP/UDP port; numeric strings count too (the settings-page proxy sends form strings, spec §2.7). */
    static int port(final JsonNode node, final int current)
    {
        final int port = node != null && node.isTextual() ? parsePort(node.textValue()) :
            node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : -1;
        return port >= 0 && port <= 65_535 ? port : current;
    }

    private static void applyDescriptors(final JsonNode node, final DomainRecord record)
    {
        record.capacity = count(node.get("capacity"), record.capacity);
        record.description = nonEmptyText(node.get("description"), MAX_TEXT_CHARS, record.description);
        final String maturity = text(node.get("maturity"), MAX_SHORT_CHARS);
        if (maturity != null && MATURITIES.contains(maturity))
        {
            record.maturity = maturity;
        }
        final String restriction = text(node.get("restriction"), MAX_SHORT_CHARS);
        if (restriction != null && RESTRICTIONS.contains(restriction))
        {
            record.restriction = restriction;
        }
        record.tags = list(node.get("tags"), record.tags);
    }

    private static String text(final JsonNode node, final int maxChars, final String current)
    {
        final String value = text(node, maxChars);
        return value != null ? value : current;
    }

    /** Descriptions and the like are never overwritten with an empty value (spec §2.2). */
    private static String nonEmptyText(final JsonNode node, final int maxChars, final String current)
    {
        final String value = text(node, maxChars);
        return value != null && !value.isEmpty() ? value : current;
    }

    private static int count(final JsonNode node, final int current)
    {
        return node != null && node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 0 ?
            node.intValue() : current;
    }

    static int parsePort(final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** A string, an array of strings, or Iamus' {@code {set, add, remove}} manipulator; else unchanged. */
    private static List<String> list(final JsonNode node, final List<String> current)
    {
        if (node == null || node.isNull())
        {
            return current;
        }
        if (node.isTextual() || node.isArray())
        {
            final List<String> values = strings(node);
            return values != null ? values : current;
        }
        if (!node.isObject())
        {
            return current;
        }
        final List<String> set = node.has("set") ? strings(node.get("set")) : current;
        final List<String> add = node.has("add") ? strings(node.get("add")) : List.of();
        final List<String> remove = node.has("remove") ? strings(node.get("remove")) : List.of();
        if (set == null || add == null || remove == null)
        {
            return current;
        }
        final Set<String> result = new LinkedHashSet<>(set);
        result.addAll(add);
        result.removeAll(remove);
        return result.size() <= MAX_LIST_ITEMS ? List.copyOf(result) : current;
    }

    /** The strings of a string or array node, or null when any item is not a short enough string. */
    private static List<String> strings(final JsonNode node)
    {
        if (node.isTextual())
        {
            return node.textValue().length() <= MAX_LIST_ITEM_CHARS ? List.of(node.textValue()) : null;
        }
        if (!node.isArray() || node.size() > MAX_LIST_ITEMS)
        {
            return null;
        }
        final List<String> values = new ArrayList<>(node.size());
        for (final JsonNode item : node)
        {
            final String value = text(item, MAX_LIST_ITEM_CHARS);
            if (value == null)
            {
                return null;
            }
            values.add(value);
        }
        return List.copyOf(values);
    }
}
