package io.switchboard.tools.pulse;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.pulse.PulseReply;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.DatagramSource;
import io.switchboard.tools.load.LoadResult;
import io.switchboard.tools.load.ReplyCheck;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code pulse-load}: the UDP load generator speaking pulses. It first registers {@code --register} clients over
 * HTTP (from several keep-alive connections; a million takes a couple of minutes), then each load socket pulses
 * with its own client's key. A reply counts when it is 1020 (on time).
 */
public final class PulseLoad
{
    public static final String COMMAND = "pulse-load";

    private static final List<Flag> FLAGS = Stream.concat(
        UdpLoadGenerator.Config.FLAGS.stream(),
        Stream.of(
            new Flag("http", null, "host:port of the rendezvous HTTP API (required)"),
            new Flag("register", "0", "clients to register first; at least --sockets (0 = --sockets)"),
            new Flag("register-connections", "8", "parallel HTTP connections registering"),
            new Flag("form", "raw", "pulse payload: raw (32 bytes) or hex (64 hex digits)"),
            new Flag("label", "", "label of the result line (default: pulse-FORM)"),
            new Flag("json", "false", "print the result as one JSON object"))).toList();

    private PulseLoad()
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
        final InetSocketAddress http = UdpLoadGenerator.parseTarget(flags.string("http"));
        final int register = Math.max(config.sockets(), flags.intValue("register"));
        final String form = flags.string("form");
        if (!"raw".equals(form) && !"hex".equals(form))
        {
            throw new IllegalArgumentException(COMMAND + ": --form must be raw or hex");
        }

        final long startNanos = System.nanoTime();
        final String[] keys = register(http, register, flags.intValue("register-connections"), config.sockets());
        final double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.err.printf(Locale.ROOT, "%s: registered=%d in %.1f s (%.0f/s)%n", COMMAND, register, seconds,
            register / seconds);

        final byte[][] pulses = new byte[config.sockets()][];
        for (int i = 0; i < pulses.length; i++)
        {
            pulses[i] = PulseClient.payload(keys[i], "raw".equals(form));
        }
        final DatagramSource source = (socketIndex, sequence, dst) ->
        {
            final byte[] pulse = pulses[socketIndex];
            dst.put(0, pulse);
            return pulse.length;
        };
        final ReplyCheck onTime = (socketIndex, reply) -> reply.remaining() == PulseReply.LENGTH &&
            reply.order(ByteOrder.BIG_ENDIAN).getInt(reply.position()) == PulseReply.ON_TIME;

        final LoadResult result = UdpLoadGenerator.run(config, source, onTime);
        final String label = LoadResult.requirePlainLabel(
            flags.string("label").isEmpty() ? "pulse-" + form : flags.string("label"));
        System.out.println(flags.booleanValue("json") ? result.toJson(COMMAND, label) : result.toLine(COMMAND, label));
        return result.replies() > 0 && result.badReplies() == 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    /** Registers {@code count} clients; returns the keys of the first {@code keep}. */
    static String[] register(final InetSocketAddress http, final int count, final int connections, final int keep)
        throws IOException, InterruptedException
    {
        final String[] keys = new String[keep];
        final AtomicInteger next = new AtomicInteger();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[Math.max(1, Math.min(connections, count))];
        for (int t = 0; t < threads.length; t++)
        {
            threads[t] = new Thread(() ->
            {
                try (RendezvousConnection connection = new RendezvousConnection(http))
                {
                    for (int i = next.getAndIncrement(); i < count && failure.get() == null; i = next.getAndIncrement())
                    {
                        final RendezvousConnection.Registration client = connection.register();
                        if (i < keep)
                        {
                            keys[i] = client.privateId();
                        }
                    }
                }
                catch (final Exception ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, COMMAND + "-register-" + t);
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (failure.get() != null)
        {
            throw new IOException(COMMAND + ": registering failed after " + next.get() + " clients", failure.get());
        }
        return keys;
    }
}
