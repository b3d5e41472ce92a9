package io.switchboard.edge.chaos;

import io.switchboard.tools.metaverse.MetaverseClient;
import io.switchboard.tools.pulse.RendezvousConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The ledger of writes the appliance acknowledged (answered 2xx), filled by the write load's threads and checked
 * against a restarted appliance: every acknowledged write must be there, whatever was in flight when it died.
 */
final class AcknowledgedWrites
{
    /** A temporary domain whose creation was acknowledged, and how far its key upload and heartbeats got. */
    static final class DomainWrites
    {
        final MetaverseClient.Domain domain;
        final int life;
        volatile boolean keyAcknowledged;
        /** Heartbeats report 1, 2, 3... users in order: the stored count lies between these two. */
        volatile int usersAcknowledged;
        volatile int usersSent;

        DomainWrites(final MetaverseClient.Domain domain, final int life)
        {
            this.domain = domain;
            this.life = life;
        }
    }

    /** A rendezvous client whose registration was acknowledged in appliance life {@code life}. */
    record Client(RendezvousConnection.Registration registration, int life)
    {
    }

    private final byte[] publicKey;
    private final ConcurrentLinkedQueue<DomainWrites> domains = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Client> clients = new ConcurrentLinkedQueue<>();

    AcknowledgedWrites(final byte[] publicKey)
    {
        this.publicKey = publicKey.clone();
    }

    byte[] publicKey()
    {
        return publicKey.clone();
    }

    DomainWrites created(final MetaverseClient.Domain domain, final int life)
    {
        final DomainWrites writes = new DomainWrites(domain, life);
        domains.add(writes);
        return writes;
    }

    void registered(final RendezvousConnection.Registration registration, final int life)
    {
        clients.add(new Client(registration, life));
    }

    int domainCount()
    {
        return domains.size();
    }

    int clientCount()
    {
        return clients.size();
    }

    /** Reads back every acknowledged write of appliance lives {@code fromLife} and later from a running appliance. */
    /** The acknowledged writes of life {@code fromLife} on that are gone or wrong; empty when all are there. */
    List<String> check(final int fromLife, final InetSocketAddress metaverse, final InetSocketAddress rendezvous)
        throws IOException, InterruptedException
    {
        final List<String> problems = new ArrayList<>();
        final MetaverseClient client = new MetaverseClient(metaverse);
        for (final DomainWrites writes : domains)
        {
            if (writes.life >= fromLife)
            {
                check(client, writes, problems);
            }
        }
        try (RendezvousConnection connection = new RendezvousConnection(rendezvous))
        {
            final Client asking = clients.peek();
            for (final Client registered : clients)
            {
                if (registered.life() >= fromLife)
                {
                    final int status = connection.peerStatus(
                        asking.registration().privateId(), registered.registration().clientId()).status();
                    if (status != 200)
                    {
                        problems.add("client " + registered.registration().clientId() + " registered in life " +
                            registered.life() + ": status answered " + status);
                    }
                }
            }
        }
        return problems;
    }

    private void check(
        final MetaverseClient client, final DomainWrites writes, final List<String> problems)
        throws IOException, InterruptedException
    {
        final String name = "domain " + writes.domain.id() + " created in life " + writes.life + " (key " +
            (writes.keyAcknowledged ? "acknowledged" : "not acknowledged") + ", heartbeats acknowledged up to " +
            writes.usersAcknowledged + ", sent up to " + writes.usersSent + ")";
        final MetaverseClient.Reply info = client.domainInfo(writes.domain.id());
        if (info.status() != 200)
        {
            problems.add(name + ": GET answered " + info.status() + " " + info.body());
            return;
        }
        if (writes.keyAcknowledged &&
            !client.publicKey(writes.domain.id()).map(key -> Arrays.equals(publicKey, key)).orElse(false))
        {
            problems.add(name + ": its acknowledged key upload is gone");
        }
        final int users = info.body().path("data").path("domain").path("num_users").asInt(-1);
        if (writes.usersAcknowledged > 0 && (users < writes.usersAcknowledged || users > writes.usersSent))
        {
            problems.add(name + ": num_users " + users + ", but heartbeats up to " + writes.usersAcknowledged +
                " were acknowledged and none above " + writes.usersSent + " sent");
        }
    }
}
