package io.switchboard.edge.limit;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counts at which {@link HostConnections} and {@link ConnectionBudget} refuse, and what giving back frees. */
final class ConnectionLimitsTest
{
    private static final int CAP = 3;

    @Test
    void aHostIsRefusedItsCapPlusFirstConnectionAndOnlyIt() throws Exception
    {
        final HostConnections hosts = new HostConnections(CAP);
        final InetAddress flooder = InetAddress.getByName("127.0.0.2");
        final InetAddress other = InetAddress.getByName("127.0.0.3");
        for (int i = 0; i < CAP; i++)
        {
            assertTrue(hosts.tryAcquire(flooder), "connection " + (i + 1));
        }
        assertFalse(hosts.tryAcquire(flooder), "connection " + (CAP + 1));
        assertTrue(hosts.tryAcquire(other), "another host");
        hosts.release(flooder);
        assertTrue(hosts.tryAcquire(flooder), "a released connection makes room for one");
        assertFalse(hosts.tryAcquire(flooder));
    }

    @Test
    void aHostThatLetGoOfEverythingStartsAfresh() throws Exception
    {
        final HostConnections hosts = new HostConnections(CAP);
        final InetAddress host = InetAddress.getByName("127.0.0.2");
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < CAP; i++)
            {
                assertTrue(hosts.tryAcquire(host));
            }
            for (int i = 0; i < CAP; i++)
            {
                hosts.release(host);
            }
        }
        assertTrue(hosts.tryAcquire(host));
    }

    @Test
    void theBudgetRefusesItsLimitPlusFirstConnectionAndItsGaugeFollows()
    {
        final Metrics metrics = new Metrics();
        final AtomicCounter limit = metrics.gauge("budget", "", "limit");
        final AtomicCounter open = metrics.gauge("budget_open", "", "open");
        final ConnectionBudget budget = new ConnectionBudget(CAP, limit, open);
        assertEquals(CAP, limit.get());
        for (int i = 0; i < CAP; i++)
        {
            assertTrue(budget.tryAcquire(), "connection " + (i + 1));
        }
        assertFalse(budget.tryAcquire(), "connection " + (CAP + 1));
        assertEquals(CAP, open.get());
        budget.release();
        assertEquals(CAP - 1, open.get());
        assertTrue(budget.tryAcquire());
        assertFalse(budget.tryAcquire());
    }
}
