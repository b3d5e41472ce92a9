package io.switchboard.cluster;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's own rules, on a fake clock: a media driver is there, but no cluster member listens on the members'
 * ports, so no session ever opens and answers are handed to the gateway by the test.
 */
class ClusterGatewayTest
{
    private static final long TIMEOUT_MS = 3_000;

    @TempDir
    Path dir;

    private final String aeronDir = "/dev/shm/switchboard-test-" + UUID.randomUUID();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final ClusterCounters counters = new ClusterCounters(new Metrics());
    private final ManyToOneConcurrentArrayQueue<ClusterGateway.Pending> queue = new ManyToOneConcurrentArrayQueue<>(16);
    private MediaDriver driver;
    private Aeron aeron;
    private ClusterGateway gateway;

    @BeforeEach
    void start()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        final int base = FreePorts.base(3 * ClusterContext.PORTS_PER_MEMBER);
        final ClusterContext context = new ClusterContext()
            .members("127.0.0.1:" + base + ",127.0.0.1:" + (base + 5) + ",127.0.0.1:" + (base + 10))
            .clusterDir(dir.toFile())
            .clientTimeoutMs(TIMEOUT_MS)
            .conclude();
        clock.update(TimeUnit.SECONDS.toNanos(100));
        gateway = new ClusterGateway(context, aeron, queue, counters, clock, 1, null);
    }

    @AfterEach
    void stop()
    {
        gateway.onClose();
        CloseHelper.closeAll(aeron, driver);
    }

    @Test
    void aCommandWithoutAnAnswerFailsAtItsDeadlineAndNotBefore()
    {
        final ClusterGateway.Pending pending = submit();
        gateway.doWork();

        clock.advance(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS) - 1);
        gateway.doWork();
        assertFalse(pending.future.isDone(), "failed before its deadline");

        clock.advance(1);
        gateway.doWork();
        final ExecutionException ex = assertThrows(ExecutionException.class, pending.future::get);
        assertInstanceOf(ClusterUnavailableException.class, ex.getCause());
        assertTrue(ex.getCause().getMessage().contains("not committed within 3000 ms"), ex.getCause().getMessage());
        assertEquals(1, counters.timedOut.get());
    }

    @Test
    void anAnswerCompletesItsCommandWithTheLeadersResultPositionAndDuplicateFlag() throws Exception
    {
        final ClusterGateway.Pending first = submit();
        final ClusterGateway.Pending second = submit();
        gateway.doWork();
        assertEquals(1, first.commandId);
        assertEquals(2, second.commandId);

        final MutableDirectBuffer reply = new UnsafeBuffer(new byte[CommandReply.LENGTH]);
        CommandReply.put(reply, 0, 2, ToyMapMachine.ABSENT, 4_096, CommandReply.FLAG_DUPLICATE);
        gateway.onMessage(7, 0, reply, 0, CommandReply.LENGTH, null);

        assertEquals(new CommandResult(2, ToyMapMachine.ABSENT, 4_096, true), second.future.get());
        assertFalse(first.future.isDone());
        gateway.onMessage(7, 0, reply, 0, CommandReply.LENGTH, null);
        assertEquals(1, counters.acknowledged.get(), "a second answer to the same command is ignored");

        clock.advance(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        gateway.doWork();
        assertTrue(first.future.isCompletedExceptionally());
        assertEquals(1, counters.timedOut.get());
    }

    private ClusterGateway.Pending submit()
    {
        final DirectBuffer body = ToyMapMachine.putBody("k", "v");
        final ClusterGateway.Pending pending = new ClusterGateway.Pending(ToyMapMachine.PUT, body, 0, body.capacity(),
            clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
        assertTrue(queue.offer(pending));
        return pending;
    }
}
