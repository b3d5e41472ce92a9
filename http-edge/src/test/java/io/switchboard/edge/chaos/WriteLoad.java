package io.switchboard.edge.chaos;

import io.switchboard.tools.metaverse.MetaverseClient;
import io.switchboard.tools.pulse.RendezvousConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writers against one appliance life, as fast as it answers: domain servers (a temporary domain, its key upload,
 * then heartbeats reporting 1, 2, 3... users) and rendezvous clients registering and pulsing once. Each
 * acknowledged write goes into the ledger; a writer stops at its first failed request (the appliance was killed) or
 * when told to. An answer other than 2xx is no crash but a refusal, kept for the test to report.
 */
final class WriteLoad
{
    private static final int DOMAIN_WRITERS = 2;
    private static final int RENDEZVOUS_WRITERS = 1;
    private static final int HEARTBEATS_PER_DOMAIN = 4;

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    private WriteLoad()
    {
    }

    static WriteLoad start(
        final AcknowledgedWrites ledger, final int life, final InetSocketAddress metaverse,
        final InetSocketAddress rendezvous, final InetSocketAddress pulses)
    {
        final WriteLoad load = new WriteLoad();
        final MetaverseClient client = new MetaverseClient(metaverse);
        for (int i = 0; i < DOMAIN_WRITERS; i++)
        {
            load.spawn("chaos-domains-" + i, () -> load.domainServer(client, ledger, life));
        }
        for (int i = 0; i < RENDEZVOUS_WRITERS; i++)
        {
            load.spawn("chaos-rendezvous-" + i, () -> load.rendezvousClients(rendezvous, pulses, ledger, life));
        }
        return load;
    }

    /** Tells the writers to stop and waits for them; after a kill -9 each stops at its next request anyway. */
    void stop() throws InterruptedException
    {
        stopped = true;
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    /** What the living appliance answered with other than 2xx. */
    List<String> refusals()
    {
        return List.copyOf(refusals);
    }

    private interface Writer
    {
        void run() throws IOException, InterruptedException;
    }

    private void spawn(final String name, final Writer writer)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                writer.run();
            }
            catch (final IOException | InterruptedException ex)
            {
                // The appliance is gone: what was in flight is not acknowledged, so not in the ledger.
            }
        }, name);
        threads.add(thread);
        thread.start();
    }

    private void domainServer(final MetaverseClient client, final AcknowledgedWrites ledger, final int life)
        throws IOException, InterruptedException
    {
        final byte[] key = ledger.publicKey();
        while (!stopped)
        {
            final Optional<MetaverseClient.Domain> created = client.createTemporary();
            if (created.isEmpty())
            {
                refusals.add("POST /api/v1/domains/temporary");
                return;
            }
            final AcknowledgedWrites.DomainWrites writes = ledger.created(created.get(), life);
            if (!acknowledged("key upload", client.uploadPublicKey(writes.domain, key)))
            {
                return;
            }
            writes.keyAcknowledged = true;
            for (int users = 1; users <= HEARTBEATS_PER_DOMAIN && !stopped; users++)
            {
                writes.usersSent = users;
                if (!acknowledged("heartbeat", client.heartbeat(writes.domain, users)))
                {
                    return;
                }
                writes.usersAcknowledged = users;
            }
        }
    }

    private boolean acknowledged(final String write, final MetaverseClient.Reply reply)
    {
        if (!reply.isSuccess())
        {
            refusals.add(write + ": " + reply);
        }
        return reply.isSuccess();
    }

    /** Registers clients and has each pulse once (hex form), so their stored records change after the answer. */
    private void rendezvousClients(
        final InetSocketAddress rendezvous, final InetSocketAddress pulses, final AcknowledgedWrites ledger,
        final int life) throws IOException
    {
        try (RendezvousConnection connection = new RendezvousConnection(rendezvous);
            DatagramChannel pulse = DatagramChannel.open())
        {
            pulse.connect(pulses);
            while (!stopped)
            {
                final RendezvousConnection.Response response = connection.request("POST", "/register", null);
                if (response.status() != 200)
                {
                    refusals.add("POST /register: " + response);
                    return;
                }
                ledger.registered(new RendezvousConnection.Registration(
                    response.text("client_id"), response.text("private_id")), life);
                pulse.write(ByteBuffer.wrap(response.text("private_id").getBytes(StandardCharsets.US_ASCII)));
            }
        }
    }
}
