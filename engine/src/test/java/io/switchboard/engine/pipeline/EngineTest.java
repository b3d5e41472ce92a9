package io.switchboard.engine.pipeline;

import io.switchboard.engine.command.CommandHeader;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.config.EngineContext.Threading;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pipeline on its own, in both threadings, with a protocol that answers each datagram with its bytes prefixed by
 * the listener's name: datagrams on two listeners, commands from another thread, ticks, oversize datagrams, a
 * protocol that throws, and a shutdown that closes the protocols on the thread that ran them.
 */
class EngineTest
{
    private static final int COMMAND_PING = 900;

    private Engine engine;
    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final CountDownLatch failed = new CountDownLatch(1);
    private final Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch commandSeen = new CountDownLatch(1);
    private final CountDownLatch ticked = new CountDownLatch(3);
    private final CountDownLatch closed = new CountDownLatch(2);

    @AfterEach
    void close()
    {
        if (engine != null)
        {
            engine.close();
        }
    }

    private void launch(final Threading threading)
    {
        engine = Engine.launch(
            new EngineContext().bindAddress("127.0.0.1").threading(threading).tickIntervalMs(10).maxDatagramBytes(600),
            metrics,
            liveness,
            List.of(new UdpListenerSpec("a", 0, (sender, clock, commands) -> new Prefixing("a", sender)),
                new UdpListenerSpec("b", 0, (sender, clock, commands) -> new Prefixing("b", sender))));
    }

    @ParameterizedTest
    @EnumSource(Threading.class)
    void eachListenerAnswersWithItsOwnProtocolOnOneHandlerThread(final Threading threading) throws Exception
    {
        launch(threading);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            socket.setSoTimeout(2_000);
            for (int i = 0; i < 200; i++)
            {
                final String listener = i % 2 == 0 ? "a" : "b";
                assertEquals(listener + ":hello " + i, exchange(socket, listener, "hello " + i));
            }
        }
        assertEquals(1, handlerThreads.size(), handlerThreads.toString());
        assertEquals(100, counter("switchboard_udp_datagrams_received_total", "listener=\"a\""));
        assertEquals(100, counter("switchboard_udp_datagrams_received_total", "listener=\"b\""));
    }

    @ParameterizedTest
    @EnumSource(Threading.class)
    void commandsFromAnotherThreadAndTicksReachTheHandler(final Threading threading) throws Exception
    {
        launch(threading);
        final Thread publisher = new Thread(() -> engine.commands().publish(
            (buffer, capacity, unused) -> CommandHeader.put(buffer, 0, COMMAND_PING), null));
        publisher.start();
        publisher.join();
        assertTrue(commandSeen.await(5, TimeUnit.SECONDS), "command handled");
        assertTrue(ticked.await(5, TimeUnit.SECONDS), "ticks while idle");
    }

    @ParameterizedTest
    @EnumSource(Threading.class)
    void oversizeAndThrowingDatagramsAreCountedAndTheEngineKeepsAnswering(final Threading threading) throws Exception
    {
        launch(threading);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            socket.setSoTimeout(2_000);
            send(socket, "a", "x".repeat(601));
            send(socket, "a", "throw");
            assertEquals("a:still here", exchange(socket, "a", "still here"));
            assertThrows(SocketTimeoutException.class, () -> receive(socket), "nothing answered the bad two");
        }
        assertEquals(1, counter("switchboard_udp_datagrams_dropped_total", "listener=\"a\",reason=\"oversize\""));
        assertEquals(1, counter("switchboard_engine_handler_errors_total", ""));
        assertTrue(liveness.allAlive(), "an exception in one event is survived");
    }

    @ParameterizedTest
    @EnumSource(Threading.class)
    void anErrorOnTheHandlerThreadFailsTheEngineAndIsCounted(final Threading threading) throws Exception
    {
        launch(threading);
        liveness.onFailure(failed::countDown);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            send(socket, "a", "error");
        }
        assertTrue(failed.await(5, TimeUnit.SECONDS), "the failure is reported");
        final Watch engineWatch = liveness.watches().stream().filter(Watch::failed).findFirst().orElseThrow();
        assertEquals("switchboard-engine", engineWatch.name(), "the handler's thread, in either threading");
        assertEquals("java.lang.AssertionError: an Error, on purpose", engineWatch.lastError().toString());
        assertEquals(1, counter("switchboard_agent_failed", "agent=\"" + engineWatch.name() + "\""));
        assertFalse(liveness.allAlive());
    }

    @ParameterizedTest
    @EnumSource(Threading.class)
    void closeClosesEveryProtocolOnTheHandlerThread(final Threading threading) throws Exception
    {
        launch(threading);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            socket.setSoTimeout(2_000);
            exchange(socket, "b", "warm");
        }
        engine.close();
        assertTrue(closed.await(0, TimeUnit.SECONDS), "both protocols closed by the time close() returns");
        assertEquals(1, handlerThreads.size(), handlerThreads.toString());
    }

    private String exchange(final DatagramSocket socket, final String listener, final String text) throws Exception
    {
        send(socket, listener, text);
        return receive(socket);
    }

    private void send(final DatagramSocket socket, final String listener, final String text) throws Exception
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(bytes, bytes.length,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), engine.boundPort(listener))));
    }

    private static String receive(final DatagramSocket socket) throws Exception
    {
        final DatagramPacket reply = new DatagramPacket(new byte[700], 700);
        socket.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
    }

    private long counter(final String family, final String labels)
    {
        final long[] value = {-1};
        metrics.reader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.equals(family + "{" + labels + "}") || label.equals(family) && labels.isEmpty())
            {
                value[0] = metrics.reader().getCounterValue(counterId);
            }
        });
        return value[0];
    }

    private final class Prefixing implements UdpProtocol
    {
        private final byte[] prefix;
        private final DatagramSender sender;

        Prefixing(final String name, final DatagramSender sender)
        {
            this.prefix = (name + ":").getBytes(StandardCharsets.US_ASCII);
            this.sender = sender;
        }

        @Override
        public void onDatagram(
            final DirectBuffer buffer, final int length, final InetSocketAddress source, final long sourceFingerprint)
        {
            handlerThreads.add(Thread.currentThread().getName());
            if (length == 5 && "throw".equals(buffer.getStringWithoutLengthAscii(0, length)))
            {
                throw new IllegalStateException("a protocol bug, on purpose");
            }
            if (length == 5 && "error".equals(buffer.getStringWithoutLengthAscii(0, length)))
            {
                throw new AssertionError("an Error, on purpose");
            }
            sender.buffer().putBytes(0, prefix);
            sender.buffer().putBytes(prefix.length, buffer, 0, length);
            sender.send(prefix.length + length, source);
        }

        @Override
        public boolean onCommand(final int type, final DirectBuffer buffer, final int offset, final int length)
        {
            if (type == COMMAND_PING)
            {
                commandSeen.countDown();
                return true;
            }
            return false;
        }

        @Override
        public void onTick(final long nowMs)
        {
            ticked.countDown();
        }

        @Override
        public void close()
        {
            handlerThreads.add(Thread.currentThread().getName());
            closed.countDown();
        }
    }
}
