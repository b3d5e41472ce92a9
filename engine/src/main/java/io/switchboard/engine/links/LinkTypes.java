package io.switchboard.engine.links;

/**
 * The message types carried between cluster nodes' links (1..32767), in one block of 100 per owner, so the links
 * agent hands each arriving message to the one owner of its block and each owner reads its own types only.
 */
public final class LinkTypes
{
    /** ICE: domain locations and cross-node peer information (the engine's ICE server). */
    public static final int ICE_FIRST = 100;
    /** Pulse rendezvous: client locations and states (the engine's pulse server). */
    public static final int PULSE_FIRST = 200;
    /** PeerJS: id claims and relays (the PeerJS realm). */
    public static final int PEERJS_FIRST = 300;
    /** dop connectivity: sessions and relays. */
    public static final int DOP_FIRST = 400;
    /** Types per owner block. */
    public static final int BLOCK = 100;

    private LinkTypes()
    {
    }

    /** The first type of the block {@code type} belongs to. */
    public static int blockOf(final int type)
    {
        return type - type % BLOCK;
    }

    /** Whether {@code type} is in the block that starts at {@code first}. */
    public static boolean inBlock(final int type, final int first)
    {
        return type >= first && type < first + BLOCK;
    }
}
