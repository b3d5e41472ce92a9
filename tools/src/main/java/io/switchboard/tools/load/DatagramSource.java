package io.switchboard.tools.load;

import java.nio.ByteBuffer;

/**
 * Writes the requests {@link UdpLoadGenerator} sends; called on a load thread, once per datagram, so it must not
 * allocate.
 */
@FunctionalInterface
public interface DatagramSource
{
    /**
     * Write one request into {@code dst}.
     *
     * @param socketIndex socket that will send it, from 0 to {@code sockets - 1}.
     * @param sequence    count of requests this socket sent before this one, re-sends after a timeout included.
     * @param dst         cleared buffer (position 0, limit {@link UdpLoadGenerator#MAX_DATAGRAM_BYTES}), absolute or
     *                    relative puts; only valid during the call.
     * @return the length of the request, at least 1 byte.
     */
    int write(int socketIndex, long sequence, ByteBuffer dst);

    /**
     * @param payload bytes every request carries, copied.
     * @return a source that writes the same payload for every request of every socket.
     */
    static DatagramSource fixed(final byte[] payload)
    {
        final byte[] copy = payload.clone();
        return (socketIndex, sequence, dst) ->
        {
            dst.put(0, copy);
            return copy.length;
        };
    }
}
