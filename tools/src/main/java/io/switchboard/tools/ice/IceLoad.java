package io.switchboard.tools.ice;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerQuery;
import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.engine.wire.Uuids;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.DatagramSource;
import io.switchboard.tools.load.LoadResult;
import io.switchboard.tools.load.ReplyCheck;
import io.switchboard.tools.load.UdpLoadGenerator;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * {@code ice-load}: the UDP load generator speaking ICE. Each socket is one domain with its own id, all signed by
 * one key; {@code --setup-dir} holds that key and a switchboard config registering every domain. Scenarios:
 * {@code cached} re-sends each domain's verified heartbeat (what real domains do every second), {@code full}
 * cycles through distinct signed heartbeats so every one needs an RSA verification, as a domain's first contact
 * does; a reply counts when it is an ACK. {@code query}: each socket is a client querying its own domain, which a
 * separate domain socket keeps alive with a heartbeat a second; a reply counts when it is PeerInformation. With
 * {@code --domain-target} the domains heartbeat to another node of a cluster than the one queried (issue 16: a query
 * answered across nodes); the query scenario also times, from each query's send, when the domain receives the
 * querier's PeerInformation ({@code introduced_p50_us}, {@code introduced_p99_us}), whichever node sends it.
 */
public final class IceLoad
{
    public static final String COMMAND = "ice-load";
    /** Distinct heartbeats per domain in the full scenario; consecutive ones always differ. */
    private static final int FULL_VARIANTS = 8;
    /** Real domains heartbeat once a second; the query scenario's domains do the same so they never expire. */
    private static final long DOMAIN_HEARTBEAT_MS = 1_000;
    private static final InetSocketAddress CLAIMED_PUBLIC = new InetSocketAddress("198.51.100.1", 10_000);
    private static final InetSocketAddress CLAIMED_LOCAL = new InetSocketAddress("10.0.0.1", 10_000);
    /**
     * The query scenario's claimed public port carries the low bits of each query's sequence, so the domain side
     * finds the query a PeerInformation answers (the server relays the claimed sockets verbatim).
     */
    private static final int SEQUENCE_SLOTS = 1_024;
    /** Offset of the claimed public port (IPv4) in a query and in the PeerInformation relaying it: the same. */
    private static final int CLAIMED_PORT_OFFSET = IceHeader.LENGTH + Uuids.LENGTH + 1 + 4;

    private static final List<Flag> FLAGS = Stream.concat(
        UdpLoadGenerator.Config.FLAGS.stream(),
        Stream.of(
            new Flag("setup-dir", "ice-load", "holds the domains' key and switchboard.conf"),
            new Flag("setup-only", "false", "write the key and config, then exit"),
            new Flag("scenario", "cached", "cached, full or query"),
            new Flag("domain-target", "", "query: host:port the domains heartbeat to (default: the target)"),
            new Flag("label", "", "label of the result line (default: ice-SCENARIO)"),
            new Flag("json", "false", "print the result as one JSON object"))).toList();

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
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
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
        // Every load socket shares one host: lift the per-host verification budget so "full" measures RSA, and
        // each domain is queried far beyond a real one: lift its PeerInformation budget so "query" sends both.
        lines.add("ice-verify-rate=1000000");
        lines.add("ice-verify-burst=1000000");
        lines.add("ice-peer-info-rate=1000000");
        final Path conf = setupDir.resolve("switchboard.conf");
        Files.write(conf, lines);
        if (flags.booleanValue("setup-only"))
        {
            System.out.println("start switchboard with --config=" + conf.toAbsolutePath());
            return Tools.EXIT_OK;
        }

        final String scenario = flags.string("scenario");
        final LoadResult result = switch (scenario)
        {
            case "cached" -> heartbeats(config, identity, 1);
            case "full" -> heartbeats(config, identity, FULL_VARIANTS);
            case "query" -> null;
            default -> throw new IllegalArgumentException(COMMAND + ": --scenario must be cached, full or query");
        };
        final String label = LoadResult.requirePlainLabel(
            flags.string("label").isEmpty() ? "ice-" + scenario : flags.string("label"));
        if (result != null)
        {
            System.out.println(flags.booleanValue("json") ? result.toJson(COMMAND, label) :
                result.toLine(COMMAND, label));
            return result.replies() > 0 && result.badReplies() == 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
        }
        final String domainTarget = flags.string("domain-target");
        final Introductions introductions = new Introductions(config.sockets());
        final LoadResult queried = queries(config, identity,
            domainTarget.isEmpty() ? config.target() : UdpLoadGenerator.parseTarget(domainTarget), introductions);
        System.out.println(flags.booleanValue("json") ?
            introductions.appendJson(queried.toJson(COMMAND, label)) :
            queried.toLine(COMMAND, label) + introductions.fields());
        return queried.replies() > 0 && queried.badReplies() == 0 && introductions.count() > 0 ?
            Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    private static LoadResult heartbeats(
        final UdpLoadGenerator.Config config, final DomainIdentity identity, final int variants) throws Exception
    {
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
            return withSequence(heartbeat, sequence, dst);
        };
        return UdpLoadGenerator.run(config, source, replyOfType(IcePacketType.SERVER_HEARTBEAT_ACK));
    }

    private static LoadResult queries(
        final UdpLoadGenerator.Config config,
        final DomainIdentity identity,
        final InetSocketAddress domainTarget,
        final Introductions introductions) throws Exception
    {
        final byte[][] heartbeats = new byte[config.sockets()][];
        final byte[][] queries = new byte[config.sockets()][];
        final UnsafeBuffer sockets = new UnsafeBuffer(new byte[2 * QtSocketAddress.MAX_LENGTH]);
        final int publicLength = QtSocketAddress.put(sockets, 0, CLAIMED_PUBLIC);
        final int socketsLength = publicLength + QtSocketAddress.put(sockets, publicLength, CLAIMED_LOCAL);
        final UnsafeBuffer query = new UnsafeBuffer(new byte[IceHeader.LENGTH + 2 * Uuids.LENGTH + socketsLength]);
        for (int i = 0; i < config.sockets(); i++)
        {
            final UUID domain = domainOf(i);
            heartbeats[i] = identity.heartbeat(domain, 1, CLAIMED_PUBLIC, CLAIMED_LOCAL);
            IceServerQuery.put(query, 0, 1, ~domain.getMostSignificantBits(), domain.getLeastSignificantBits(),
                sockets, 0, socketsLength, domain.getMostSignificantBits(), domain.getLeastSignificantBits());
            queries[i] = query.byteArray().clone();
        }

        // The server answers each query to the querier and to the domain's active socket: this one.
        try (DatagramChannel domains = DatagramChannel.open())
        {
            domains.connect(domainTarget);
            final Thread heartbeater =
                new Thread(() -> heartbeatEverySecond(domains, heartbeats), COMMAND + "-domains");
            heartbeater.setDaemon(true);
            heartbeater.start();
            // The domains' first heartbeat verified (and announced to the other nodes) before the first query.
            Thread.sleep(DOMAIN_HEARTBEAT_MS / 2);
            // The load generator's measured interval, give or take the thread start.
            introductions.measure(System.nanoTime() + config.warmupNanos(), config.durationNanos());
            final Thread receiver = new Thread(() -> introductions.receive(domains), COMMAND + "-introduced");
            receiver.setDaemon(true);
            receiver.start();
            final DatagramSource source = (socketIndex, sequence, dst) ->
            {
                final int length = withSequence(queries[socketIndex], sequence, dst);
                final int slot = (int)(sequence & (SEQUENCE_SLOTS - 1));
                dst.order(ByteOrder.BIG_ENDIAN).putShort(CLAIMED_PORT_OFFSET, (short)(CLAIMED_PUBLIC.getPort() + slot));
                introductions.sent(socketIndex, slot);
                return length;
            };
            final LoadResult result = UdpLoadGenerator.run(config, source, replyOfType(IcePacketType.PEER_INFORMATION));
            heartbeater.interrupt();
            receiver.interrupt(); // closes the channel its blocking receive waits on
            receiver.join(1_000);
            return result;
        }
    }

    /**
     * When each query was sent (per socket, by the low bits of its sequence) and how long after it the domain got
     * the querier's PeerInformation, over the measured interval.
     */
    private static final class Introductions
    {
        private final AtomicLongArray sentNanos;
        private long measureFromNanos;
        private long measureToNanos;
        private final Histogram latencyNanos = new Histogram(10_000_000_000L, 3);

        Introductions(final int sockets)
        {
            sentNanos = new AtomicLongArray(sockets * SEQUENCE_SLOTS);
        }

        /** Before the receiving thread starts (its start publishes these). */
        void measure(final long fromNanos, final long durationNanos)
        {
            measureFromNanos = fromNanos;
            measureToNanos = fromNanos + durationNanos;
        }

        void sent(final int socketIndex, final int slot)
        {
            sentNanos.lazySet(socketIndex * SEQUENCE_SLOTS + slot, System.nanoTime());
        }

        void receive(final DatagramChannel domains)
        {
            final ByteBuffer datagram = ByteBuffer.allocateDirect(2_048);
            try
            {
                while (true)
                {
                    datagram.clear();
                    domains.receive(datagram);
                    final long nowNanos = System.nanoTime();
                    if (datagram.position() < CLAIMED_PORT_OFFSET + 2 ||
                        datagram.get(IceHeader.TYPE_OFFSET) != IcePacketType.PEER_INFORMATION)
                    {
                        continue; // an ACK of a heartbeat
                    }
                    // The querier's id is the domain's with the high half inverted: its low half names the socket.
                    final long lsb = datagram.order(ByteOrder.BIG_ENDIAN).getLong(IceHeader.LENGTH + 8);
                    final int socketIndex = (int)(lsb & 0xFFFF_FFFFL);
                    final int slot = (datagram.getShort(CLAIMED_PORT_OFFSET) & 0xFFFF) - CLAIMED_PUBLIC.getPort();
                    if (socketIndex * SEQUENCE_SLOTS >= sentNanos.length() || slot < 0 || slot >= SEQUENCE_SLOTS ||
                        nowNanos < measureFromNanos || nowNanos > measureToNanos)
                    {
                        continue;
                    }
                    final long sent = sentNanos.get(socketIndex * SEQUENCE_SLOTS + slot);
                    if (sent != 0 && nowNanos > sent)
                    {
                        latencyNanos.recordValue(Math.min(nowNanos - sent, latencyNanos.getHighestTrackableValue()));
                    }
                }
            }
            catch (final IOException ex)
            {
                // Interrupted, or the channel closed: the run is over.
            }
        }

        long count()
        {
            return latencyNanos.getTotalCount();
        }

        String fields()
        {
            return String.format(java.util.Locale.ROOT, " introduced=%d introduced_p50_us=%.1f introduced_p99_us=%.1f",
                count(), latencyNanos.getValueAtPercentile(50) / 1_000.0,
                latencyNanos.getValueAtPercentile(99) / 1_000.0);
        }

        String appendJson(final String json)
        {
            return json.substring(0, json.length() - 1) + String.format(java.util.Locale.ROOT,
                ",\"introduced\":%d,\"introduced_p50_us\":%.1f,\"introduced_p99_us\":%.1f}", count(),
                latencyNanos.getValueAtPercentile(50) / 1_000.0, latencyNanos.getValueAtPercentile(99) / 1_000.0);
        }
    }

    private static void heartbeatEverySecond(final DatagramChannel domains, final byte[][] heartbeats)
    {
        try
        {
            for (int sequence = 1; !Thread.currentThread().isInterrupted(); sequence++)
            {
                for (final byte[] heartbeat : heartbeats)
                {
                    final ByteBuffer datagram = ByteBuffer.wrap(heartbeat.clone()).order(ByteOrder.LITTLE_ENDIAN);
                    domains.write(datagram.putInt(0, sequence & IceHeader.SEQUENCE_MASK));
                }
                Thread.sleep(DOMAIN_HEARTBEAT_MS);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // The run is over (the channel closed or the thread interrupted): the domains may expire now.
        }
    }

    private static int withSequence(final byte[] packet, final long sequence, final ByteBuffer dst)
    {
        dst.put(0, packet);
        dst.order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int)((sequence + 1) & IceHeader.SEQUENCE_MASK));
        return packet.length;
    }

    private static ReplyCheck replyOfType(final byte type)
    {
        return (socketIndex, reply) -> reply.remaining() > IceHeader.TYPE_OFFSET &&
            reply.get(reply.position() + IceHeader.TYPE_OFFSET) == type &&
            (type != IcePacketType.SERVER_HEARTBEAT_ACK || reply.remaining() == IceHeader.LENGTH);
    }
}
