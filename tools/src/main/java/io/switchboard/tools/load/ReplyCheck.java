package io.switchboard.tools.load;

import java.nio.ByteBuffer;

/**
 * Judges each reply {@link UdpLoadGenerator} receives; called on a load thread, once per datagram, so it must not
 * allocate.
 */
@FunctionalInterface
public interface ReplyCheck
{
    /**
     * Accepts every reply: the load only measures that something came back.
     */
    ReplyCheck ACCEPT_ALL = (socketIndex, reply) -> true;

    /**
     * @param socketIndex socket that received the reply, from 0 to {@code sockets - 1}.
     * @param reply       the datagram from position 0 to its limit; only valid during the call.
     * @return true for a good reply, false to count it in {@link LoadResult#badReplies()}.
     */
    boolean accept(int socketIndex, ByteBuffer reply);
}
