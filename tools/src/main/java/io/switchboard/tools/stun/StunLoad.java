package io.switchboard.tools.stun;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.DatagramSource;
import io.switchboard.tools.load.LoadResult;
import io.switchboard.tools.load.ReplyCheck;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code stun-load}: the UDP load generator speaking STUN to any RFC 5389 server (coturn in the benchmark run).
 * Every request is a Binding Request with a fresh random transaction id; a reply counts when it is the Binding
 * Success Response carrying the id of one of its socket's outstanding requests.
 */
public final class StunLoad
{
    public static final String COMMAND = "stun-load";

    private static final List<Flag> FLAGS = Stream.concat(
        UdpLoadGenerator.Config.FLAGS.stream(),
        Stream.of(
            new Flag("label", "stun-binding", "label of the result line"),
            new Flag("json", "false", "print the result as one JSON object"))).toList();

    private StunLoad()
    {
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final UdpLoadGenerator.Config config = UdpLoadGenerator.Config.from(flags);
        final Transactions transactions = new Transactions(config.sockets(), config.window(), new SecureRandom());

        final LoadResult result = UdpLoadGenerator.run(config, transactions, transactions);
        final String label = LoadResult.requirePlainLabel(flags.string("label"));
        System.out.println(flags.booleanValue("json") ? result.toJson(COMMAND, label) : result.toLine(COMMAND, label));
        return result.replies() > 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    /**
     * The transaction ids in flight, {@code window} slots per socket: a socket's outstanding requests are its last
     * sends, so their sequences are consecutive and never share a slot. Each socket is only touched by its own load
     * thread, and ids come from a per-socket xorshift generator, so nothing allocates or contends.
     */
    static final class Transactions implements DatagramSource, ReplyCheck
    {
        private final int window;
        private final long[] random;
        private final long[] highs;
        private final int[] lows;

        Transactions(final int sockets, final int window, final SecureRandom seeds)
        {
            this.window = window;
            this.random = new long[sockets];
            this.highs = new long[sockets * window];
            this.lows = new int[sockets * window];
            for (int i = 0; i < sockets; i++)
            {
                random[i] = seeds.nextLong() | 1;
            }
        }

        @Override
        public int write(final int socketIndex, final long sequence, final ByteBuffer dst)
        {
            final int slot = socketIndex * window + (int)(sequence % window);
            highs[slot] = next(socketIndex);
            lows[slot] = (int)next(socketIndex);
            return StunBinding.putRequest(dst, highs[slot], lows[slot]);
        }

        @Override
        public boolean accept(final int socketIndex, final ByteBuffer reply)
        {
            for (int slot = socketIndex * window, end = slot + window; slot < end; slot++)
            {
                if (StunBinding.isSuccessFor(reply, highs[slot], lows[slot]))
                {
                    return true;
                }
            }
            return false;
        }

        private long next(final int socketIndex)
        {
            long x = random[socketIndex];
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            random[socketIndex] = x;
            return x;
        }
    }
}
