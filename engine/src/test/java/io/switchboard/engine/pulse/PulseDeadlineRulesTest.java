package io.switchboard.engine.pulse;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.table.PulseKey;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pulse rules' deadlines (rendezvous-and-dop.md §1.5) on a fake clock, driven as the engine's handler drives
 * them: the wheel polled, then the tick, at each clock step. Each test says at which clock value a client turned
 * PENDING or was forgotten: at its deadline, not a millisecond before, however the deadline was moved.
 */
class PulseDeadlineRulesTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final long GRACE_MS = 10_000;
    private static final long TTL_MS = 3_000;
    private static final long ERROR_MS = 5_000;

    @TempDir
    Path directory;

    private final CachedEpochClock time = new CachedEpochClock();
    private final EngineClock clock = new EngineClock(time);
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[PulseRegisterCommand.LENGTH]);
    private final UnsafeBuffer pulse = new UnsafeBuffer(ByteBuffer.allocateDirect(PulseKey.LENGTH));
    private final PulseKey key = new PulseKey().set(1, 2, 3, 4);
    private final ByteBuffer reply = ByteBuffer.allocate(64);
    private DatagramChannel socket;
    private DatagramChannel client;
    private InetSocketAddress clientAddress;
    private EngineTimers timers;
    private Metrics counters;
    private PulseServer server;
    private long lastPolledMs;

    @BeforeEach
    void open() throws IOException
    {
        socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client.configureBlocking(false);
        clientAddress = (InetSocketAddress)client.getLocalAddress();
        key.putRaw(pulse, 0);
        start(START_MS);
    }

    @AfterEach
    void close() throws IOException
    {
        server.close();
        socket.close();
        client.close();
    }

    /** A server on the table in {@link #directory}, as the appliance starts one at {@code nowMs}. */
    private void start(final long nowMs)
    {
        setTime(nowMs);
        timers = new EngineTimers(nowMs);
        counters = new Metrics();
        final DatagramSender sender = new DatagramSender(socket, 2048,
            counters.counter("test_sent_total", "", "Sent."), counters.counter("test_failed_total", "", "Failed."));
        server = new PulseServer(
            new PulseContext().port(0).maxClients(16).registerGraceMs(GRACE_MS).pulseTtlMs(TTL_MS)
                .errorTimeMs(ERROR_MS).tableFiles(new TableFiles(directory)),
            counters, sender, clock, timers, new CommandReplies(), new Liveness(counters).register("persister"));
        lastPolledMs = nowMs - 1;
    }

    @Test
    void aRegisteredClientTurnsPendingExactlyAtItsRegisterGrace()
    {
        register();
        assertEquals(START_MS + GRACE_MS, runUntilPending(START_MS + GRACE_MS + 1_000));
        assertEquals(1, counter("switchboard_pulse_clients{state=\"pending\"}"));
        assertEquals(0, counter("switchboard_pulse_clients{state=\"online\"}"));
    }

    @Test
    void aRegistrationCarryingTheLogsTimeTurnsPendingGraceAfterThatTimeNotAfterItsArrival()
    {
        final long registeredMs = START_MS - 4_000;
        PulseRegisterCommand.put(command, 0, 1, 11, 12, key, registeredMs);
        server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
        assertEquals(1, counter("switchboard_pulse_clients{state=\"online\"}"), "registered");
        assertEquals(registeredMs + GRACE_MS, runUntilPending(registeredMs + GRACE_MS + 1_000));
    }

    @Test
    void aRegistrationWhoseGraceEndedBeforeItArrivedIsCountedLapsedAndNotHeld()
    {
        PulseRegisterCommand.put(command, 0, 1, 11, 12, key, START_MS - GRACE_MS);
        server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
        assertEquals(0, counter("switchboard_pulse_clients{state=\"online\"}"));
        assertEquals(1, counter("switchboard_pulse_commands_total{command=\"register\",result=\"lapsed\"}"));
        PulseRegisterCommand.put(command, 0, 1, 11, 12, key, START_MS - GRACE_MS + 1);
        server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
        assertEquals(1, counter("switchboard_pulse_clients{state=\"online\"}"), "one millisecond of grace left");
    }

    @Test
    void aPendingClientIsForgottenErrorTimeAfterItsOnlineDeadline()
    {
        register();
        runUntilPending(START_MS + GRACE_MS);
        assertEquals(START_MS + GRACE_MS + ERROR_MS, runUntilForgotten(START_MS + GRACE_MS + ERROR_MS + 1_000));
        assertEquals(0, counter("switchboard_pulse_clients{state=\"pending\"}"));
        assertEquals(PulseReply.UNKNOWN_CLIENT, pulseAt(START_MS + GRACE_MS + ERROR_MS));
    }

    @Test
    void aPulseBeforeTheGraceEndsBringsTheDeadlineForwardToOneTtlAfterIt()
    {
        register();
        assertEquals(PulseReply.ON_TIME, pulseAt(START_MS + 1_000));
        assertEquals(START_MS + 1_000 + TTL_MS, runUntilPending(START_MS + GRACE_MS));
    }

    @Test
    void eachOnTimePulseMovesTheDeadlineOneTtlOnAndTheClientTurnsPendingOneTtlAfterTheLast()
    {
        register();
        long last = START_MS;
        for (long at = START_MS + 1_000; at <= START_MS + 20_000; at += 2_500)
        {
            assertNull(runUntilPendingOrNull(at));
            assertEquals(PulseReply.ON_TIME, pulseAt(at));
            last = at;
        }
        // Pulses moved the deadline later without touching the wheel: one timer, re-armed when it fires.
        assertEquals(1, timers.timerCount());
        assertEquals(last + TTL_MS, runUntilPending(last + TTL_MS + 1_000));
    }

    @Test
    void aPulseWhilePendingIsAnsweredMustReverifyAndLeavesTheErrorDeadline()
    {
        register();
        runUntilPending(START_MS + GRACE_MS);
        assertEquals(PulseReply.MUST_REVERIFY, pulseAt(START_MS + GRACE_MS + 1_000));
        assertEquals(START_MS + GRACE_MS + ERROR_MS, runUntilForgotten(START_MS + GRACE_MS + ERROR_MS + 1_000));
    }

    @Test
    void aVerifyBringsAPendingClientBackOnlineForOneTtlEvenBeforeItsErrorDeadline()
    {
        register();
        runUntilPending(START_MS + GRACE_MS);
        final long verifiedAt = START_MS + GRACE_MS + 100;
        verifyAt(verifiedAt);
        assertEquals(0, counter("switchboard_pulse_clients{state=\"pending\"}"));
        assertEquals(PulseReply.ON_TIME, pulseAt(verifiedAt + 1));
        // Verified with TTL 3 s while its error deadline was 4.9 s away: the earlier deadline re-arms the timer.
        assertEquals(verifiedAt + 1 + TTL_MS, runUntilPending(verifiedAt + 1 + TTL_MS + 1_000));
        assertEquals(2, counter("switchboard_pulse_deadlines_total{result=\"pending\"}"));
    }

    @Test
    void anEngineTickingEveryHundredMillisecondsActsWithinOneTickOfEachDeadline()
    {
        register();
        long now = START_MS + 37;
        while (counter("switchboard_pulse_deadlines_total{result=\"pending\"}") == 0)
        {
            now += 100;
            tickAt(now);
        }
        assertTrue(now >= START_MS + GRACE_MS && now < START_MS + GRACE_MS + 100, "pending at " + (now - START_MS));
        while (counter("switchboard_pulse_deadlines_total{result=\"expired\"}") == 0)
        {
            now += 100;
            tickAt(now);
        }
        final long forgetAt = START_MS + GRACE_MS + ERROR_MS;
        assertTrue(now >= forgetAt && now < forgetAt + 100, "forgotten at " + (now - START_MS));
    }

    @Test
    void aClientWhoseDeadlinePassedWhileTheApplianceWasDownTurnsPendingAtTheFirstTickAndKeepsItsErrorDeadline()
    {
        register();
        tickAt(START_MS + 1);
        server.close();
        final long restartedAt = START_MS + GRACE_MS + 2_000;
        start(restartedAt);
        assertEquals(1, counter("switchboard_pulse_clients{state=\"online\"}"));
        tickAt(restartedAt);
        assertEquals(1, counter("switchboard_pulse_deadlines_total{result=\"pending\"}"));
        // PENDING from the persisted deadline, not from the restart.
        assertEquals(START_MS + GRACE_MS + ERROR_MS, runUntilForgotten(START_MS + GRACE_MS + ERROR_MS + 1_000));
    }

    @Test
    void aClientWhoseWholePendingTimePassedWhileTheApplianceWasDownIsForgottenAtTheFirstTick()
    {
        register();
        tickAt(START_MS + 1);
        server.close();
        final long restartedAt = START_MS + GRACE_MS + ERROR_MS + 1;
        start(restartedAt);
        tickAt(restartedAt);
        assertEquals(1, counter("switchboard_pulse_deadlines_total{result=\"expired\"}"));
        assertEquals(PulseReply.UNKNOWN_CLIENT, pulseAt(restartedAt));
    }

    @Test
    void aLogoutCancelsTheTimer()
    {
        register();
        final UnsafeBuffer logout = new UnsafeBuffer(new byte[PulseKeyCommand.LENGTH]);
        PulseKeyCommand.put(logout, 0, CommandType.PULSE_LOGOUT, 2, key);
        server.onCommand(CommandType.PULSE_LOGOUT, logout, 0, PulseKeyCommand.LENGTH);
        assertEquals(0, timers.timerCount());
        assertNull(runUntilPendingOrNull(START_MS + GRACE_MS + ERROR_MS));
        assertEquals(0, counter("switchboard_pulse_deadlines_total{result=\"expired\"}"));
    }

    private void register()
    {
        PulseRegisterCommand.put(command, 0, 1, 11, 12, key);
        server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
        assertEquals(1, counter("switchboard_pulse_clients{state=\"online\"}"), "registered");
    }

    private void verifyAt(final long nowMs)
    {
        tickTo(nowMs);
        final UnsafeBuffer verify = new UnsafeBuffer(new byte[PulseKeyCommand.LENGTH]);
        PulseKeyCommand.put(verify, 0, CommandType.PULSE_VERIFY, 3, key);
        server.onCommand(CommandType.PULSE_VERIFY, verify, 0, PulseKeyCommand.LENGTH);
    }

    /** Ticks every millisecond up to {@code nowMs}, then sends the pulse and returns the reply's code. */
    private int pulseAt(final long nowMs)
    {
        tickTo(nowMs);
        server.onDatagram(pulse, PulseKey.LENGTH, clientAddress, SocketAddresses.fingerprint(clientAddress));
        try
        {
            reply.clear();
            assertNotNull(client.receive(reply), "a reply");
            return PulseReply.code(new UnsafeBuffer(reply.flip()), 0);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private long runUntilPending(final long limitMs)
    {
        final Long at = runUntilPendingOrNull(limitMs);
        assertNotNull(at, "not pending by " + (limitMs - START_MS) + " ms");
        return at;
    }

    /** Ticks every millisecond up to {@code limitMs}; the tick at which a client turned PENDING, if one did. */
    private Long runUntilPendingOrNull(final long limitMs)
    {
        return runUntilChanged("switchboard_pulse_deadlines_total{result=\"pending\"}", limitMs);
    }

    private long runUntilForgotten(final long limitMs)
    {
        final Long at = runUntilChanged("switchboard_pulse_deadlines_total{result=\"expired\"}", limitMs);
        assertNotNull(at, "not forgotten by " + (limitMs - START_MS) + " ms");
        return at;
    }

    private Long runUntilChanged(final String counter, final long limitMs)
    {
        final long before = counter(counter);
        while (lastPolledMs < limitMs)
        {
            tickAt(lastPolledMs + 1);
            if (counter(counter) != before)
            {
                return lastPolledMs;
            }
        }
        return null;
    }

    private void tickTo(final long nowMs)
    {
        while (lastPolledMs < nowMs)
        {
            tickAt(lastPolledMs + 1);
        }
    }

    /** What the engine's handler does at the start of a batch whose clock moved. */
    private void tickAt(final long nowMs)
    {
        setTime(nowMs);
        timers.poll(nowMs);
        server.onTick(nowMs);
        lastPolledMs = nowMs;
    }

    private void setTime(final long nowMs)
    {
        time.update(nowMs);
        clock.update();
    }

    private long counter(final String series)
    {
        final long[] value = {Long.MIN_VALUE};
        counters.reader().forEach((id, label) ->
        {
            if (label.equals(series))
            {
                value[0] = counters.reader().getCounterValue(id);
            }
        });
        assertNotEquals(Long.MIN_VALUE, value[0], "no counter " + series);
        return value[0];
    }
}
