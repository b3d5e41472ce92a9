package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The stock domain-server heartbeat (spec §2.2) read with a streaming parser, no JSON tree: {@code {"domain":
 * {"version", "protocol", "network_address", "network_port", "automatic_networking", "restricted", "api_key",
 * "heartbeat": {"num_users", "num_anon_users", ...}}}}. Each value is kept only when
 * {@link DomainFields#applyHeartbeat} would take it, so applying this equals applying the tree. Anything beyond
 * that shape (descriptors, {@code meta}, a repeated key, trailing tokens, JSON that does not parse) makes
 * {@link #read} return null and the caller takes the general tree path.
 */
final class HeartbeatBody
{
    /** Not in the body, or not a value the tree path would take. */
    static final int ABSENT = -1;

    private static final int VERSION = 1;
    private static final int PROTOCOL = 1 << 1;
    private static final int NETWORK_ADDRESS = 1 << 2;
    private static final int NETWORK_PORT = 1 << 3;
    private static final int AUTOMATIC_NETWORKING = 1 << 4;
    private static final int RESTRICTED = 1 << 5;
    private static final int API_KEY = 1 << 6;
    private static final int HEARTBEAT = 1 << 7;
    private static final int NUM_USERS = 1 << 8;
    private static final int NUM_ANON_USERS = 1 << 9;

    String version;
    String protocol;
    String networkAddress;
    int networkPort = ABSENT;
    String automaticNetworking;
    /** null when absent or not a boolean. */
    Boolean restricted;
    String apiKey;
    int numUsers = ABSENT;
    int anonUsers = ABSENT;

    private int seen;

    private HeartbeatBody()
    {
    }

    /** The heartbeat in {@code body}, or null when it is anything but the stock shape. */
    static HeartbeatBody read(final JsonFactory factory, final byte[] body)
    {
        try (JsonParser parser = factory.createParser(body))
        {
            final HeartbeatBody heartbeat = new HeartbeatBody();
            if (parser.nextToken() != JsonToken.START_OBJECT ||
                parser.nextToken() != JsonToken.FIELD_NAME || !"domain".equals(parser.currentName()) ||
                parser.nextToken() != JsonToken.START_OBJECT ||
                !heartbeat.readDomain(parser) ||
                parser.nextToken() != JsonToken.END_OBJECT ||
                parser.nextToken() != null)
            {
                return null;
            }
            return heartbeat;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** Copies what this heartbeat carries into {@code record}, then stamps the heartbeat time. */
    void applyTo(final DomainRecord record, final long nowMs)
    {
        record.version = version != null ? version : record.version;
        record.protocol = protocol != null ? protocol : record.protocol;
        record.networkAddress = networkAddress != null ? networkAddress : record.networkAddress;
        record.networkPort = networkPort != ABSENT ? networkPort : record.networkPort;
        record.automaticNetworking = automaticNetworking != null ? automaticNetworking : record.automaticNetworking;
        record.restricted = restricted != null ? restricted : record.restricted;
        record.numUsers = numUsers != ABSENT ? numUsers : record.numUsers;
        record.anonUsers = anonUsers != ABSENT ? anonUsers : record.anonUsers;
        record.lastHeartbeatMs = nowMs;
    }

    private boolean readDomain(final JsonParser parser) throws IOException
    {
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final int field = domainField(parser.currentName());
            final JsonToken value = parser.nextToken();
            if (!firstTime(field))
            {
                return false;
            }
            switch (field)
            {
                case VERSION -> version = shortText(parser, value);
                case PROTOCOL -> protocol = shortText(parser, value);
                case NETWORK_ADDRESS -> networkAddress = shortText(parser, value);
                case NETWORK_PORT -> networkPort = port(parser, value);
                case AUTOMATIC_NETWORKING -> automaticNetworking = shortText(parser, value);
                case RESTRICTED -> restricted = value.isBoolean() ? Boolean.valueOf(value == JsonToken.VALUE_TRUE) :
                    skip(parser);
                case API_KEY -> apiKey = shortText(parser, value);
                default ->
                {
                    if (!readCounts(parser, value))
                    {
                        return false;
                    }
                }
            }
        }
        return parser.currentToken() == JsonToken.END_OBJECT;
    }

    /** {@code heartbeat}: the two counts; anything else in it is skipped, as the tree path ignores it. */
    private boolean readCounts(final JsonParser parser, final JsonToken start) throws IOException
    {
        if (start != JsonToken.START_OBJECT)
        {
            parser.skipChildren();
            return true;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String name = parser.currentName();
            final JsonToken value = parser.nextToken();
            final int field = "num_users".equals(name) ? NUM_USERS : "num_anon_users".equals(name) ? NUM_ANON_USERS : 0;
            if (field == 0)
            {
                parser.skipChildren();
            }
            else if (!firstTime(field))
            {
                return false;
            }
            else if (field == NUM_USERS)
            {
                numUsers = count(parser, value);
            }
            else
            {
                anonUsers = count(parser, value);
            }
        }
        return parser.currentToken() == JsonToken.END_OBJECT;
    }

    /** The field bit of a key of {@code domain}; 0 for any other key (descriptors, {@code meta}). */
    private static int domainField(final String name)
    {
        return switch (name)
        {
            case "version" -> VERSION;
            case "protocol" -> PROTOCOL;
            case "network_address" -> NETWORK_ADDRESS;
            case "network_port" -> NETWORK_PORT;
            case "automatic_networking" -> AUTOMATIC_NETWORKING;
            case "restricted" -> RESTRICTED;
            case "api_key" -> API_KEY;
            case "heartbeat" -> HEARTBEAT;
            default -> 0;
        };
    }

    /** False for an unknown key (0) or one seen before: the tree path decides those. */
    private boolean firstTime(final int field)
    {
        if (field == 0 || (seen & field) != 0)
        {
            return false;
        }
        seen |= field;
        return true;
    }

    private static Boolean skip(final JsonParser parser) throws IOException
    {
        parser.skipChildren();
        return null;
    }

    private static String shortText(final JsonParser parser, final JsonToken value) throws IOException
    {
        if (value != JsonToken.VALUE_STRING)
        {
            parser.skipChildren();
            return null;
        }
        final String text = parser.getText();
        return text.length() <= DomainFields.MAX_SHORT_CHARS ? text : null;
    }

    private static int port(final JsonParser parser, final JsonToken value) throws IOException
    {
        final int port;
        if (value == JsonToken.VALUE_STRING)
        {
            port = DomainFields.parsePort(parser.getText());
        }
        else if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT)
        {
            port = parser.getIntValue();
        }
        else
        {
            parser.skipChildren();
            port = ABSENT;
        }
        return port >= 0 && port <= 65_535 ? port : ABSENT;
    }

    private static int count(final JsonParser parser, final JsonToken value) throws IOException
    {
        if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT)
        {
            final int count = parser.getIntValue();
            return count >= 0 ? count : ABSENT;
        }
        parser.skipChildren();
        return ABSENT;
    }
}
