package io.switchboard.tools.ice;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerHeartbeat;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * {@code ice-flood}: forged heartbeats from many ports of one host while genuine domains on other hosts keep
 * heartbeating, and how many of the genuine ones were ACKed. Forged: heartbeats of unknown random domain ids, and
 * the genuine domains' heartbeats with a damaged signature. Each genuine host runs two domains: one re-sending its
 * verified heartbeat (ACKed from the cache), one re-signing every heartbeat with a new claimed port (a full RSA
 * verification each). {@code --setup-dir} holds their key and the switchboard config registering them. Exits 0
 * when at least {@code --min-acked-pct} of the genuine heartbeats were ACKed.
 */
public final class IceFlood
{
    public static final String COMMAND = "ice-flood";
    private static final int FORGED_VARIANTS = 1024;
    private static final int CHANGING_VARIANTS = 256;
    private static final int SIGNATURE_LENGTH = 256;
    private static final int REPLY_TIMEOUT_MS = 1_000;

    private static final List<Flag> FLAGS = List.of(
        new Flag("target", null, "host:port of the ICE server (required unless --setup-only)"),
        new Flag("setup-dir", "ice-flood", "holds the genuine domains' key and switchboard.conf"),
        new Flag("setup-only", "false", "write the key and config, then exit"),
        new Flag("flood-host", "127.0.0.1", "address the forged heartbeats come from"),
        new Flag("flood-ports", "200", "source ports of the forged heartbeats"),
        new Flag("flood-rate", "20000", "forged heartbeats per second"),
        new Flag("forged", "mixed", "mixed (unknown ids and damaged genuine ones), unknown or known"),
        new Flag("genuine-hosts", "127.0.0.2,127.0.0.3", "hosts of the genuine domains, comma separated; "
            + "empty: flood only"),
        new Flag("interval-ms", "5", "pause between rounds of genuine heartbeats"),
        new Flag("duration-s", "5", "seconds the flood lasts"),
        new Flag("min-acked-pct", "99", "exit 1 when fewer genuine heartbeats were ACKed"));

    private IceFlood()
    {
    }

    /** The genuine domain ids: two per genuine host, cached (even) and changing (odd). */
    static UUID genuineDomain(final int index)
    {
        return new UUID(0x5b0a_f100_0000_4000L, 0x8000_0000_0000_0000L | index);
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final String hostsFlag = flags.string("genuine-hosts").trim();
        final String[] genuineHosts = hostsFlag.isEmpty() ? new String[0] : hostsFlag.split(",");
        final Path setupDir = Path.of(flags.string("setup-dir"));
        final DomainIdentity identity = DomainIdentity.loadOrCreate(setupDir.resolve("domains-key.der"));
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2 * genuineHosts.length; i++)
        {
            lines.add("domain-key=" + genuineDomain(i) + ":" + identity.publicKeySpkiBase64());
        }
        final Path conf = setupDir.resolve("switchboard.conf");
        Files.write(conf, lines);
        if (flags.booleanValue("setup-only"))
        {
            System.out.println("start switchboard with --config=" + conf.toAbsolutePath());
            return Tools.EXIT_OK;
        }

        final InetSocketAddress target = UdpLoadGenerator.parseTarget(flags.string("target"));
        final List<Genuine> genuine = new ArrayList<>();
        for (int h = 0; h < genuineHosts.length; h++)
        {
            genuine.add(new Genuine(identity, genuineDomain(2 * h), genuineHosts[h].trim(), target, 1));
            genuine.add(new Genuine(identity, genuineDomain(2 * h + 1), genuineHosts[h].trim(), target,
                CHANGING_VARIANTS));
        }
        final byte[][] forged = forged(identity, genuine, flags.string("forged"));
        try (Flood flood = new Flood(forged, flags.string("flood-host"), flags.intValue("flood-ports"), target,
            flags.intValue("flood-rate")))
        {
            final long endNs = System.nanoTime() + (long)(flags.doubleValue("duration-s") * 1e9);
            final long intervalMs = flags.longValue("interval-ms");
            for (int sequence = 1; System.nanoTime() < endNs; sequence++)
            {
                for (final Genuine domain : genuine)
                {
                    domain.heartbeat(sequence);
                }
                Thread.sleep(intervalMs);
            }
            flood.stop();
            return report(flood, genuine, flags.doubleValue("min-acked-pct"));
        }
        finally
        {
            for (final Genuine domain : genuine)
            {
                domain.close();
            }
        }
    }

    private static int report(final Flood flood, final List<Genuine> genuine, final double minAckedPct)
    {
        long cachedSent = 0;
        long cachedAcked = 0;
        long changingSent = 0;
        long changingAcked = 0;
        for (final Genuine domain : genuine)
        {
            if (domain.changing())
            {
                changingSent += domain.sent;
                changingAcked += domain.acked;
            }
            else
            {
                cachedSent += domain.sent;
                cachedAcked += domain.acked;
            }
        }
        final long sent = cachedSent + changingSent;
        final double ackedPct = sent == 0 ? 100 : 100.0 * (cachedAcked + changingAcked) / sent;
        System.out.println(String.format(Locale.ROOT, "%s forged_sent=%d forged_per_s=%.0f genuine_cached_sent=%d " +
            "genuine_cached_acked=%d genuine_full_sent=%d genuine_full_acked=%d genuine_acked_pct=%.2f",
            COMMAND, flood.sent, flood.sent / flood.seconds(), cachedSent, cachedAcked, changingSent, changingAcked,
            ackedPct));
        return ackedPct >= minAckedPct ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    private static byte[][] forged(final DomainIdentity identity, final List<Genuine> genuine, final String kind)
        throws Exception
    {
        if (!List.of("mixed", "unknown", "known").contains(kind) || kind.equals("known") && genuine.isEmpty())
        {
            throw new IllegalArgumentException(COMMAND + ": --forged must be mixed, unknown or known (with genuine "
                + "hosts)");
        }
        final Random random = new Random(13);
        final byte[] unknownTemplate = identity.heartbeat(UUID.randomUUID(), 1,
            new InetSocketAddress("198.51.100.9", 9), new InetSocketAddress("10.0.0.9", 9));
        final byte[][] forged = new byte[FORGED_VARIANTS][];
        for (int i = 0; i < forged.length; i++)
        {
            final boolean unknown = kind.equals("unknown") || kind.equals("mixed") && (i & 1) == 0 ||
                genuine.isEmpty();
            if (unknown)
            {
                // A well-signed heartbeat of a domain nobody registered.
                forged[i] = unknownTemplate.clone();
                ByteBuffer.wrap(forged[i], IceServerHeartbeat.DOMAIN_ID_OFFSET, 16)
                    .putLong(random.nextLong()).putLong(random.nextLong());
            }
            else
            {
                // A registered domain's heartbeat whose signature no longer matches.
                forged[i] = genuine.get(random.nextInt(genuine.size())).variants[0].clone();
                forged[i][forged[i].length - 1 - random.nextInt(SIGNATURE_LENGTH)] ^= (byte)(1 + random.nextInt(255));
            }
        }
        return forged;
    }

    private static void putSequence(final byte[] datagram, final long sequence)
    {
        ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int)(sequence & IceHeader.SEQUENCE_MASK));
    }

    /** One genuine domain on its own socket: a heartbeat, then its reply (or a second's silence). */
    private static final class Genuine implements AutoCloseable
    {
        private final DatagramSocket socket;
        private final InetSocketAddress target;
        private final byte[][] variants;
        private final byte[] reply = new byte[64];
        private long sent;
        private long acked;

        Genuine(
            final DomainIdentity identity,
            final UUID domain,
            final String host,
            final InetSocketAddress target,
            final int variants) throws Exception
        {
            this.target = target;
            this.variants = new byte[variants][];
            for (int v = 0; v < variants; v++)
            {
                this.variants[v] = identity.heartbeat(domain, 1,
                    new InetSocketAddress("198.51.100.1", 10_000 + v), new InetSocketAddress("10.0.0.1", 10_000 + v));
            }
            socket = new DatagramSocket(new InetSocketAddress(host, 0));
            socket.setSoTimeout(REPLY_TIMEOUT_MS);
        }

        boolean changing()
        {
            return variants.length > 1;
        }

        void heartbeat(final int sequence) throws IOException
        {
            final byte[] datagram = variants[(int)(sent % variants.length)];
            putSequence(datagram, sequence);
            socket.send(new DatagramPacket(datagram, datagram.length, target));
            sent++;
            final DatagramPacket packet = new DatagramPacket(reply, reply.length);
            try
            {
                socket.receive(packet);
                if (packet.getLength() == IceHeader.LENGTH &&
                    reply[IceHeader.TYPE_OFFSET] == IcePacketType.SERVER_HEARTBEAT_ACK)
                {
                    acked++;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // Unanswered: counted as not ACKed.
            }
        }

        @Override
        public void close()
        {
            socket.close();
        }
    }

    /** The forged heartbeats, round-robin over the flood's sockets, paced to the rate, on their own thread. */
    private static final class Flood implements AutoCloseable
    {
        private final DatagramChannel[] channels;
        private final Thread thread;
        private final long startNs = System.nanoTime();
        private volatile boolean running = true;
        private volatile long sent;
        private volatile long endNs;

        Flood(
            final byte[][] datagrams,
            final String host,
            final int ports,
            final InetSocketAddress target,
            final int ratePerSecond) throws IOException
        {
            channels = new DatagramChannel[ports];
            for (int i = 0; i < ports; i++)
            {
                channels[i] = DatagramChannel.open().bind(new InetSocketAddress(host, 0));
                channels[i].connect(target);
            }
            thread = new Thread(() -> run(datagrams, ratePerSecond), COMMAND);
            thread.setDaemon(true);
            thread.start();
        }

        private void run(final byte[][] datagrams, final int ratePerSecond)
        {
            long count = 0;
            final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
            try
            {
                while (running)
                {
                    final byte[] datagram = datagrams[(int)(count % datagrams.length)];
                    putSequence(datagram, count + 1);
                    buffer.clear().put(datagram).flip();
                    channels[(int)(count % channels.length)].write(buffer);
                    sent = ++count;
                    final long aheadNs = count * 1_000_000_000L / ratePerSecond - (System.nanoTime() - startNs);
                    if (aheadNs > 1_000_000)
                    {
                        Thread.sleep(aheadNs / 1_000_000);
                    }
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // The flood is over: its sockets closed.
            }
        }

        double seconds()
        {
            return (endNs - startNs) / 1e9;
        }

        void stop() throws InterruptedException
        {
            running = false;
            thread.join();
            endNs = System.nanoTime();
        }

        @Override
        public void close() throws Exception
        {
            if (running)
            {
                stop();
            }
            for (final DatagramChannel channel : channels)
            {
                channel.close();
            }
        }
    }
}
