package io.switchboard.tools.ice;

import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.tools.ToolFlags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.DatagramSource;
import io.switchboard.tools.load.LoadResult;
import io.switchboard.tools.load.ReplyCheck;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code ice-load}: the UDP load generator speaking ICE. Each socket is one domain with its own id, all signed by
 * one key; {@code --setup-dir} holds that key and a switchboard config registering every domain. Scenarios:
 * {@code cached} re-sends each domain's verified heartbeat (what real domains do every second), {@code full}
 * cycles through distinct signed heartbeats so every one needs an RSA verification. A reply counts when it is an
 * ACK.
 */
public final class IceLoad
{
    public static final String COMMAND = "ice-load";
    /** Distinct heartbeats per domain in the full scenario; consecutive ones always differ. */
    private static final int FULL_VARIANTS = 8;

    private static final List<ToolFlags.Flag> FLAGS = Stream.concat(
        UdpLoadGenerator.Config.FLAGS.stream(),
        Stream.of(
            new ToolFlags.Flag("setup-dir", "ice-load", "holds the domains' key and switchboard.conf"),
            new ToolFlags.Flag("setup-only", "false", "write the key and config, then exit"),
            new ToolFlags.Flag("scenario", "cached", "cached or full"),
            new ToolFlags.Flag("label", "", "label of the result line (default: ice-SCENARIO)"),
            new ToolFlags.Flag("json", "false", "print the result as one JSON object"))).toList();

    private IceLoad()
    {
    }

    /** Domain ids are derived from the socket index so the config and the load agree without sharing state. */
    static UUID domainOf(final int socketIndex)
    {
        return new UUID(0x5b0a_7d00_0000_4000L, 0x8000_0000_0000_0000L | socketIndex);
    }

    public static int command(final String[] args) throws Exception
    {
        final ToolFlags flags = ToolFlags.parse(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.usage());
            return Tools.EXIT_OK;
        }
        final UdpLoadGenerator.Config config = UdpLoadGenerator.Config.from(flags);
        final Path setupDir = Path.of(flags.string("setup-dir"));
        final DomainIdentity identity = DomainIdentity.loadOrCreate(setupDir.resolve("domains-key.der"));
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < config.sockets(); i++)
        {
            lines.add("domain-key=" + domainOf(i) + ":" + identity.publicKeySpkiBase64());
        }
        // Every load socket shares one host: lift the per-host verification budget so "full" measures RSA.
        lines.add("ice-verify-rate=1000000");
        lines.add("ice-verify-burst=1000000");
        final Path conf = setupDir.resolve("switchboard.conf");
        Files.write(conf, lines);
        if (flags.booleanValue("setup-only"))
        {
            System.out.println("start switchboard with --config=" + conf.toAbsolutePath());
            return Tools.EXIT_OK;
        }

        final String scenario = flags.string("scenario");
        final int variants = "full".equals(scenario) ? FULL_VARIANTS : 1;
        if (!"full".equals(scenario) && !"cached".equals(scenario))
        {
            throw new IllegalArgumentException(COMMAND + ": --scenario must be cached or full");
        }
        final byte[][][] heartbeats = new byte[config.sockets()][variants][];
        for (int i = 0; i < config.sockets(); i++)
        {
            for (int v = 0; v < variants; v++)
            {
                heartbeats[i][v] = identity.heartbeat(domainOf(i), 1,
                    new InetSocketAddress("198.51.100.1", 10_000 + v), new InetSocketAddress("10.0.0.1", 10_000 + v));
            }
        }
        final DatagramSource source = (socketIndex, sequence, dst) ->
        {
            final byte[] heartbeat = heartbeats[socketIndex][(int)(sequence % variants)];
            dst.put(0, heartbeat);
            dst.order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int)((sequence + 1) & IceHeader.SEQUENCE_MASK));
            return heartbeat.length;
        };
        final ReplyCheck ack = (socketIndex, reply) -> reply.remaining() == IceHeader.LENGTH &&
            reply.get(reply.position() + IceHeader.TYPE_OFFSET) == IcePacketType.SERVER_HEARTBEAT_ACK;

        final LoadResult result = UdpLoadGenerator.run(config, source, ack);
        final String label = LoadResult.requirePlainLabel(
            flags.string("label").isEmpty() ? "ice-" + scenario : flags.string("label"));
        System.out.println(flags.booleanValue("json") ? result.toJson(COMMAND, label) : result.toLine(COMMAND, label));
        return result.replies() > 0 && result.badReplies() == 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }
}
