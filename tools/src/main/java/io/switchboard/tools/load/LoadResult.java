package io.switchboard.tools.load;

import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * What one {@link UdpLoadGenerator} run measured, over the measured interval only (warmup excluded).
 *
 * @param sent                 requests sent, re-sends after a timeout included.
 * @param replies              replies the {@link ReplyCheck} accepted.
 * @param lost                 requests with no reply within the timeout.
 * @param badReplies           replies the {@link ReplyCheck} rejected.
 * @param unmatchedReplies     replies that came when their socket had nothing outstanding.
 * @param durationNanos        length of the measured interval.
 * @param repliesPerSecond     accepted replies per second of the measured interval.
 * @param p50Us                median round trip, microseconds.
 * @param p99Us                99th percentile round trip, microseconds.
 * @param p999Us               99.9th percentile round trip, microseconds.
 * @param maxUs                longest round trip, microseconds.
 * @param serverCpuMs          CPU the server used over the interval, milliseconds; NaN when not measured.
 * @param serverCpuUsPerReply  server CPU per accepted reply, microseconds; NaN when not measured or no replies.
 */
public record LoadResult(
    long sent,
    long replies,
    long lost,
    long badReplies,
    long unmatchedReplies,
    long durationNanos,
    double repliesPerSecond,
    double p50Us,
    double p99Us,
    double p999Us,
    double maxUs,
    double serverCpuMs,
    double serverCpuUsPerReply)
{
    private static final double NANOS_PER_SECOND = 1e9;

    /**
     * Check that a label survives both formats as one token: no whitespace, '=', '"' or '\'.
     *
     * @param label text a script will grep for.
     * @return the label.
     * @throws IllegalArgumentException if it is empty or holds one of those characters.
     */
    public static String requirePlainLabel(final String label)
    {
        if (label.isEmpty() || label.chars().anyMatch(c -> Character.isWhitespace(c) || "=\"\\".indexOf(c) >= 0))
        {
            throw new IllegalArgumentException("label must be non-empty without whitespace, '=', '\"' or '\\': " + label);
        }

        return label;
    }

    /**
     * @param command first word of the line, e.g. {@code udp-load}.
     * @param label   see {@link #requirePlainLabel(String)}.
     * @return one line of {@code key=value} pairs; server CPU keys only when measured.
     */
    public String toLine(final String command, final String label)
    {
        final StringBuilder line = new StringBuilder(command).append(" label=").append(requirePlainLabel(label));
        forEachField((key, value) -> line.append(' ').append(key).append('=').append(value));
        return line.toString();
    }

    /**
     * @param command value of the {@code command} field, e.g. {@code udp-load}.
     * @param label   see {@link #requirePlainLabel(String)}.
     * @return one JSON object with the same keys as {@link #toLine(String, String)}.
     */
    public String toJson(final String command, final String label)
    {
        final StringBuilder json = new StringBuilder("{\"command\":\"").append(requirePlainLabel(command))
            .append("\",\"label\":\"").append(requirePlainLabel(label)).append('"');
        forEachField((key, value) -> json.append(",\"").append(key).append("\":").append(value));
        return json.append('}').toString();
    }

    private void forEachField(final BiConsumer<String, String> field)
    {
        field.accept("replies_per_s", format("%.0f", repliesPerSecond));
        field.accept("p50_us", format("%.1f", p50Us));
        field.accept("p99_us", format("%.1f", p99Us));
        field.accept("p999_us", format("%.1f", p999Us));
        field.accept("max_us", format("%.1f", maxUs));
        field.accept("sent", Long.toString(sent));
        field.accept("replies", Long.toString(replies));
        field.accept("lost", Long.toString(lost));
        field.accept("bad_replies", Long.toString(badReplies));
        field.accept("unmatched_replies", Long.toString(unmatchedReplies));
        field.accept("duration_s", format("%.3f", durationNanos / NANOS_PER_SECOND));
        // Unmeasured values are left out rather than printed as NaN, which JSON cannot hold.
        if (!Double.isNaN(serverCpuMs))
        {
            field.accept("server_cpu_ms", format("%.1f", serverCpuMs));
        }
        if (!Double.isNaN(serverCpuUsPerReply))
        {
            field.accept("server_cpu_us_per_reply", format("%.2f", serverCpuUsPerReply));
        }
    }

    private static String format(final String pattern, final double value)
    {
        return String.format(Locale.ROOT, pattern, value);
    }
}
