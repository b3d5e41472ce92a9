package io.switchboard.tools.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * One load thread: a closed loop over its share of the sockets, each keeping {@code window} requests outstanding.
 * <p>
 * Replies carry no request id, so each socket matches them to its requests first in, first out. Nothing is allocated
 * per datagram: buffers, send-time rings and the select callback are made once.
 */
final class LoadWorker implements Runnable
{
    /** Longest round trip the histogram holds; anything longer is recorded as this. */
    static final long MAX_RTT_NANOS = 60_000_000_000L;
    static final int RTT_SIGNIFICANT_DIGITS = 3;

    /** Wakes the loop this often even with no replies, to see timeouts and the end of the run. */
    private static final long SELECT_TIMEOUT_MS = 1;
    /** Timeouts are looked for this many times per timeout: lost requests are seen at most 1/8 of a timeout late. */
    private static final int TIMEOUT_SCANS_PER_TIMEOUT = 8;

    private final DatagramChannel[] channels;
    private final int firstSocketIndex;
    private final int window;
    private final long timeoutNanos;
    private final long measureStartNanos;
    private final long measureEndNanos;
    private final DatagramSource source;
    private final ReplyCheck check;

    private final Selector selector;
    private final Consumer<SelectionKey> onReadable = this::onReadable;
    private final ByteBuffer request = ByteBuffer.allocateDirect(UdpLoadGenerator.MAX_DATAGRAM_BYTES);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(UdpLoadGenerator.MAX_DATAGRAM_BYTES);
    private final long[] sendTimes;
    private final int[] oldestSlot;
    private final int[] outstanding;
    private final long[] sequences;
    private final Histogram rttNanos = new Histogram(MAX_RTT_NANOS, RTT_SIGNIFICANT_DIGITS);

    private long sent;
    private long replies;
    private long lost;
    private long badReplies;
    private long unmatchedReplies;
    private Exception failure;

    /**
     * @param channels          this thread's sockets, non-blocking and connected to the target.
     * @param firstSocketIndex  index of {@code channels[0]} among all sockets of the run.
     * @param window            requests each socket keeps outstanding.
     * @param timeoutNanos      age at which an outstanding request is counted lost and re-sent.
     * @param measureStartNanos {@link System#nanoTime()} at which warmup ends and counting starts.
     * @param measureEndNanos   {@link System#nanoTime()} at which the run ends.
     * @param source            writes each request.
     * @param check             judges each reply.
     * @throws IOException if the selector cannot be opened.
     */
    LoadWorker(
        final DatagramChannel[] channels,
        final int firstSocketIndex,
        final int window,
        final long timeoutNanos,
        final long measureStartNanos,
        final long measureEndNanos,
        final DatagramSource source,
        final ReplyCheck check) throws IOException
    {
        this.channels = channels;
        this.firstSocketIndex = firstSocketIndex;
        this.window = window;
        this.timeoutNanos = timeoutNanos;
        this.measureStartNanos = measureStartNanos;
        this.measureEndNanos = measureEndNanos;
        this.source = source;
        this.check = check;

        sendTimes = new long[channels.length * window];
        oldestSlot = new int[channels.length];
        outstanding = new int[channels.length];
        sequences = new long[channels.length];

        selector = Selector.open();
        for (int local = 0; local < channels.length; local++)
        {
            channels[local].register(selector, SelectionKey.OP_READ, local);
        }
    }

    public void run()
    {
        try
        {
            long now = System.nanoTime();
            for (int local = 0; local < channels.length; local++)
            {
                for (int slot = 0; slot < window; slot++)
                {
                    send(local, now);
                }
            }

            final long scanInterval = Math.max(1, timeoutNanos / TIMEOUT_SCANS_PER_TIMEOUT);
            long nextScan = now + scanInterval;
            while ((now = System.nanoTime()) < measureEndNanos)
            {
                if (now >= nextScan)
                {
                    scanTimeouts(now);
                    nextScan = now + scanInterval;
                }
                selector.select(onReadable, SELECT_TIMEOUT_MS);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = ex;
        }
        finally
        {
            closeSelector();
        }
    }

    Exception failure()
    {
        return failure;
    }

    Histogram rttNanos()
    {
        return rttNanos;
    }

    long sent()
    {
        return sent;
    }

    long replies()
    {
        return replies;
    }

    long lost()
    {
        return lost;
    }

    long badReplies()
    {
        return badReplies;
    }

    long unmatchedReplies()
    {
        return unmatchedReplies;
    }

    private void onReadable(final SelectionKey key)
    {
        final int local = (Integer)key.attachment();
        final DatagramChannel channel = channels[local];
        // read() returns 0 both for "nothing queued" and for an empty datagram, so an empty reply is never seen.
        while (read(channel) > 0)
        {
            final long now = System.nanoTime();
            reply.flip();
            onReply(local, now);
        }
    }

    private int read(final DatagramChannel channel)
    {
        reply.clear();
        try
        {
            return channel.read(reply);
        }
        catch (final PortUnreachableException ex)
        {
            // ICMP for an earlier request: nothing is listening (yet); that request times out and counts as lost.
            return 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void onReply(final int local, final long now)
    {
        final boolean measuring = now >= measureStartNanos;
        if (0 == outstanding[local])
        {
            if (measuring)
            {
                unmatchedReplies++;
            }
            return;
        }

        final long sentAt = popOldest(local);
        final boolean good = check.accept(firstSocketIndex + local, reply);
        if (measuring)
        {
            if (good)
            {
                replies++;
                rttNanos.recordValue(Math.min(now - sentAt, MAX_RTT_NANOS));
            }
            else
            {
                badReplies++;
            }
        }

        if (now < measureEndNanos)
        {
            send(local, now);
        }
    }

    private void scanTimeouts(final long now)
    {
        final boolean measuring = now >= measureStartNanos;
        for (int local = 0; local < channels.length; local++)
        {
            while (outstanding[local] > 0 && now - sendTimes[local * window + oldestSlot[local]] >= timeoutNanos)
            {
                popOldest(local);
                if (measuring)
                {
                    lost++;
                }
                send(local, now);
            }
        }
    }

    private void send(final int local, final long now)
    {
        request.clear();
        final int length = source.write(firstSocketIndex + local, sequences[local]++, request);
        request.limit(length).position(0);
        try
        {
            // A full send buffer writes nothing; the request then times out and counts as lost, as on the wire.
            channels[local].write(request);
        }
        catch (final PortUnreachableException ex)
        {
            // ICMP for an earlier request; this one is sent again after its timeout.
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        sendTimes[local * window + (oldestSlot[local] + outstanding[local]) % window] = now;
        outstanding[local]++;
        if (now >= measureStartNanos)
        {
            sent++;
        }
    }

    private long popOldest(final int local)
    {
        final long sentAt = sendTimes[local * window + oldestSlot[local]];
        oldestSlot[local] = (oldestSlot[local] + 1) % window;
        outstanding[local]--;
        return sentAt;
    }

    private void closeSelector()
    {
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            if (null == failure)
            {
                failure = ex;
            }
        }
    }
}
