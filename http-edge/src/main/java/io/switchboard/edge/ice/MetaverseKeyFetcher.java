package io.switchboard.edge.ice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.ice.DomainKeyFetcher;
import io.switchboard.engine.pipeline.CommandPublisher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fetches a domain's public key from a remote metaverse as the reference ICE server does (ice-wire.md §5):
 * {@code GET {base}/api/v1/domains/{uuid}/public_key}, success when the JSON says {@code "status":"success"} and
 * {@code data.public_key} holds base64 SPKI DER. Runs on its own threads; the answer enters the engine's ring.
 */
public final class MetaverseKeyFetcher implements DomainKeyFetcher, AutoCloseable
{
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final String baseUrl;
    private final Duration timeout;
    private final ObjectMapper json;
    private final ExecutorService executor;
    private final HttpClient client;
    private final Watch watch;

    /** @param watch where its threads' failures go, and those of the answers' hand-over to the engine */
    public MetaverseKeyFetcher(final String baseUrl, final long timeoutMs, final ObjectMapper json, final Watch watch)
    {
        this.watch = watch;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = Duration.ofMillis(timeoutMs);
        this.json = json;
        this.executor = Executors.newFixedThreadPool(2, runnable ->
        {
            final Thread thread = new Thread(runnable, "switchboard-key-fetch");
            thread.setDaemon(true);
            // The pool starts another thread: an exception is survived, an Error fails the fetcher.
            thread.setUncaughtExceptionHandler((dead, ex) -> watch.onError(ex));
            return thread;
        });
        this.client = HttpClient.newBuilder()
            .connectTimeout(this.timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .executor(executor)
            .build();
    }

    /** The URL the reference intends (a clean join, without its double slash). */
    public String urlOf(final UUID domain)
    {
        return baseUrl + "/api/v1/domains/" + domain + "/public_key";
    }

    @Override
    public void fetch(final long domainIdMsb, final long domainIdLsb, final CommandPublisher replyTo)
    {
        final UUID domain = new UUID(domainIdMsb, domainIdLsb);
        final HttpRequest request;
        try
        {
            request = HttpRequest.newBuilder(URI.create(urlOf(domain))).timeout(timeout).GET().build();
        }
        catch (final IllegalArgumentException ex)
        {
            replyTo.publishDomainKeyFetchFailed(domainIdMsb, domainIdLsb);
            return;
        }
        // Guarded: what a completion stage throws lands in a future that nobody reads.
        client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) ->
            watch.guard(() ->
            {
                final byte[] spki = error == null ? keyOf(response) : null;
                if (spki == null)
                {
                    replyTo.publishDomainKeyFetchFailed(domainIdMsb, domainIdLsb);
                }
                else
                {
                    replyTo.publishDomainKey(domainIdMsb, domainIdLsb, DomainKeyCommand.ORIGIN_REMOTE, spki);
                }
            }).run());
    }

    private byte[] keyOf(final HttpResponse<byte[]> response)
    {
        if (response.statusCode() / 100 != 2 || response.body().length > MAX_RESPONSE_BYTES)
        {
            return null;
        }
        try
        {
            final JsonNode root = json.readTree(response.body());
            if (root == null || !"success".equals(root.path("status").asText()))
            {
                return null;
            }
            final JsonNode key = root.path("data").path("public_key");
            if (!key.isTextual() || key.asText().isEmpty())
            {
                return null;
            }
            return Base64.getMimeDecoder().decode(key.asText());
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
