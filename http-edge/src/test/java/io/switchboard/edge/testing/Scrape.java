package io.switchboard.edge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads one series from the admin listener's /metrics, as Prometheus would. */
public final class Scrape
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Scrape()
    {
    }

    public static String metrics(final int adminPort) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200)
        {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Value of a series such as {@code switchboard_ice_heartbeats_total{result="acked"}}. */
    public static long value(final int adminPort, final String series) throws IOException, InterruptedException
    {
        for (final String line : metrics(adminPort).split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Long.parseLong(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series);
    }

    /** Polls until the series reaches {@code expected} (counters update asynchronously to replies). */
    public static long awaitValue(final int adminPort, final String series, final long expected)
        throws IOException, InterruptedException
    {
        long value = value(adminPort, series);
        for (int i = 0; i < 100 && value != expected; i++)
        {
            Thread.sleep(20);
            value = value(adminPort, series);
        }
        return value;
    }
}
