package io.switchboard.edge.peerjs;

/**
 * Everything the server holds for one id: the registered client, if any, and the queue of messages waiting for it,
 * if any. Its monitor orders admission, the drain of the queue and every relay to the id, which is what keeps
 * per-connection FIFO order across the drain on connect. A slot with neither is retired: removed from the realm's
 * map, and a thread that still holds it must look the id up again.
 */
final class IdSlot
{
    final String id;
    Client client;
    OfflineQueue queue;
    boolean retired;

    IdSlot(final String id)
    {
        this.id = id;
    }
}
