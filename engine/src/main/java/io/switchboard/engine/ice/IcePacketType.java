package io.switchboard.engine.ice;

/** The seven ICE packet types (Vircadia's PacketType enum ordinals) and the exact version each must carry. */
public final class IcePacketType
{
    public static final byte PEER_INFORMATION = 22;
    public static final byte SERVER_QUERY = 23;
    public static final byte SERVER_HEARTBEAT = 38;
    public static final byte PING = 39;
    public static final byte PING_REPLY = 40;
    public static final byte SERVER_HEARTBEAT_DENIED = 60;
    public static final byte SERVER_HEARTBEAT_ACK = 63;

    /** Versions from versionForPacketType: heartbeat signing (18), ICE ping with peer id (18), the rest 17. */
    public static final byte VERSION_17 = 17;
    public static final byte VERSION_18 = 18;
    /** Every type outside the ICE block defaults to 22; the ICE server acts on none of them. */
    public static final byte VERSION_DEFAULT = 22;

    private IcePacketType()
    {
    }

    public static byte versionOf(final byte type)
    {
        switch (type)
        {
            case SERVER_HEARTBEAT:
            case PING:
                return VERSION_18;
            case PEER_INFORMATION:
            case SERVER_QUERY:
            case PING_REPLY:
            case SERVER_HEARTBEAT_DENIED:
            case SERVER_HEARTBEAT_ACK:
                return VERSION_17;
            default:
                return VERSION_DEFAULT;
        }
    }

    public static String nameOf(final byte type)
    {
        switch (type)
        {
            case PEER_INFORMATION: return "ICEServerPeerInformation";
            case SERVER_QUERY: return "ICEServerQuery";
            case SERVER_HEARTBEAT: return "ICEServerHeartbeat";
            case PING: return "ICEPing";
            case PING_REPLY: return "ICEPingReply";
            case SERVER_HEARTBEAT_DENIED: return "ICEServerHeartbeatDenied";
            case SERVER_HEARTBEAT_ACK: return "ICEServerHeartbeatACK";
            default: return "type-" + (type & 0xFF);
        }
    }
}
