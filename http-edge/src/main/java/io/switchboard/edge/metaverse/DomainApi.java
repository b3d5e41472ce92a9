package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.switchboard.edge.limit.HostsPerMinuteLimiter;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The metaverse endpoints a Vircadia domain-server, an ICE server and an operator call (spec §2), one method per
 * endpoint, each called with the request body already read: on the IO thread when it only touches the registry,
 * on a worker thread when it may wait (see {@link MetaverseServer}).
 */
final class DomainApi
{
    /** An endpoint: the exchange and its whole body (empty for GET and DELETE). */
    @FunctionalInterface
    interface Endpoint
    {
        void handle(HttpServerExchange exchange, byte[] body) throws Exception;
    }

    /** The listing with Iamus' paging fields at top level (spec §3.6). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DomainPage(
        String status, Map<String, List<DomainInfo.Full>> data, int currentPage, int perPage, int totalPages,
        int totalEntries)
    {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record MetaverseInfo(
        String metaverseName,
        String metaverseNickName,
        String metaverseUrl,
        String iceServerUrl,
        Map<String, String> metaverseServerVersion)
    {
    }

    static final int MAX_PER_PAGE = 1000;

    private static final String DOMAIN = "domain";
    private static final String VERSION_TAG = DomainApi.class.getPackage().getImplementationVersion() == null ?
        "switchboard-dev" : "switchboard-" + DomainApi.class.getPackage().getImplementationVersion();

    private final MetaverseContext context;
    private final DomainRegistry registry;
    private final DomainWrites writes;
    private final DomainListing listing;
    private final EngineKeys engineKeys;
    private final ObjectMapper json;
    /** Reads a whole body as one JSON value: {@code {} junk} is not JSON, and must not pass as {@code {}}. */
    private final ObjectReader wholeBody;
    private final Replies replies;
    private final MetaverseCounters counters;
    private final Credentials credentials;
    private final HostsPerMinuteLimiter temporaryLimiter;
    private final LongSupplier clock;
    private final long activeMs;
    /** When the next temporary domain is allowed once a host's bucket is empty. */
    private final long retryAfterSeconds;

    DomainApi(
        final MetaverseContext context,
        final DomainRegistry registry,
        final DomainWrites writes,
        final EngineKeys engineKeys,
        final ObjectMapper json,
        final Replies replies,
        final MetaverseCounters counters,
        final LongSupplier clock)
    {
        this.context = context;
        this.registry = registry;
        this.writes = writes;
        this.listing = new DomainListing(registry);
        this.engineKeys = engineKeys;
        this.json = json;
        this.wholeBody = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.replies = replies;
        this.counters = counters;
        this.clock = clock;
        this.credentials = new Credentials(context.adminToken());
        this.temporaryLimiter = new HostsPerMinuteLimiter(
            context.rateLimitSlots(), context.tempDomainRatePerMinute(), context.tempDomainBurst());
        this.activeMs = context.domainActiveSeconds() * 1000;
        this.retryAfterSeconds = Math.max(1, 60 / context.tempDomainRatePerMinute());
    }

    /** {@code POST /api/v1/domains/temporary} (spec §2.1): a new temporary identity; the body is ignored. */
    void createTemporary(final HttpServerExchange exchange, final byte[] body)
    {
        if (!context.allowTempDomains())
        {
            replies.failure(exchange, Failure.TEMP_DOMAINS_DISABLED, "domain temporary names not available");
            return;
        }
        final long nowMs = clock.getAsLong();
        if (!temporaryLimiter.tryAcquire(exchange.getSourceAddress(), nowMs))
        {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, retryAfterSeconds);
            replies.failure(exchange, Failure.RATE_LIMITED, "too many temporary domains from this address");
            return;
        }
        final DomainRecord record = newDomain(TemporaryNames.next(), true, exchange, nowMs);
        if (insert(exchange, record))
        {
            counters.createdTemporary.increment();
            replies.success(exchange, Map.of(DOMAIN, DomainInfo.small(record, nowMs, activeMs, true)));
        }
    }

    /** {@code POST /api/v1/domains} by the operator (spec §3.3): a named domain that never expires. */
    void createNamed(final HttpServerExchange exchange, final byte[] body)
    {
        if (!operator(exchange))
        {
            return;
        }
        final JsonNode root = parse(exchange, body);
        if (root == null)
        {
            return;
        }
        final JsonNode domain = root.path(DOMAIN);
        final JsonNode labelNode = domain.get("label");
        if (labelNode == null)
        {
            replies.failure(exchange, Failure.BAD_REQUEST, "no label supplied");
            return;
        }
        final String label = labelNode.isTextual() ? labelNode.textValue() : "";
        if (label.isEmpty())
        {
            replies.failure(exchange, Failure.BAD_REQUEST, "label was empty");
            return;
        }
        if (!DomainFields.isName(label))
        {
            replies.failure(exchange, Failure.BAD_REQUEST,
                "label must start with a letter and hold only letters, digits and +-_. (32 at most)");
            return;
        }
        final long nowMs = clock.getAsLong();
        final DomainRecord record = newDomain(label, false, exchange, nowMs);
        record.networkAddress = DomainFields.text(domain.get("network_address"), DomainFields.MAX_SHORT_CHARS);
        record.networkPort = DomainFields.port(domain.get("network_port"), -1);
        if (insert(exchange, record))
        {
            counters.createdNamed.increment();
            replies.successWithDomain(exchange, DomainInfo.small(record, nowMs, activeMs, true));
        }
    }

    /**
     * {@code PUT /api/v1/domains/{id}}: the heartbeat (spec §2.2) and the descriptors (§2.3). The stock heartbeat
     * takes a streaming read and, once nothing but its time and counts change, an in-place write on this node
     * (soft: see {@link DomainWrites#heardHeartbeat}); any other change goes through the registry's log.
     */
    void heartbeat(final HttpServerExchange exchange, final byte[] body)
    {
        final UUID id = domainId(exchange);
        if (id == null)
        {
            return;
        }
        final HeartbeatBody stock = HeartbeatBody.read(json.getFactory(), body);
        final Credentials.Offered bearer = Credentials.bearer(exchange);
        if (stock != null)
        {
            final long nowMs = clock.getAsLong();
            final Refusal inPlace = registry.heartbeatInPlace(
                id, stock, storedKey -> credentials.authorizes(storedKey, stock.apiKey, bearer), nowMs);
            if (inPlace != DomainRegistry.NOT_IN_PLACE)
            {
                if (inPlace == null)
                {
                    writes.heardHeartbeat(id, nowMs);
                }
                reply(exchange, inPlace);
                return;
            }
            reply(exchange, writes.change(id, record ->
            {
                if (!credentials.authorizes(record, stock.apiKey, bearer))
                {
                    return Refusal.NOT_AUTHORIZED;
                }
                stock.applyTo(record, nowMs);
                return null;
            }));
            return;
        }
        final JsonNode root = parse(exchange, body);
        if (root == null)
        {
            return;
        }
        final JsonNode domain = root.path(DOMAIN);
        final String apiKey = DomainFields.text(domain.get("api_key"), DomainFields.MAX_SHORT_CHARS);
        final long nowMs = clock.getAsLong();
        reply(exchange, writes.change(id, record ->
        {
            if (!credentials.authorizes(record, apiKey, bearer))
            {
                return Refusal.NOT_AUTHORIZED;
            }
            DomainFields.applyHeartbeat(domain, record, nowMs);
            return null;
        }));
    }



    /** {@code PUT /api/v1/domains/{id}/ice_server_address} (spec §2.4); an empty address is accepted, not stored. */
    void setIceServerAddress(final HttpServerExchange exchange, final byte[] body)
    {
        final UUID id = domainId(exchange);
        final JsonNode root = id == null ? null : parse(exchange, body);
        if (root == null)
        {
            return;
        }
        final JsonNode domain = root.path(DOMAIN);
        final String apiKey = DomainFields.text(domain.get("api_key"), DomainFields.MAX_SHORT_CHARS);
        final String address = DomainFields.text(domain.get("ice_server_address"), DomainFields.MAX_SHORT_CHARS);
        final Credentials.Offered bearer = Credentials.bearer(exchange);
        reply(exchange, writes.change(id, record ->
        {
            if (!credentials.authorizes(record, apiKey, bearer))
            {
                return Refusal.NOT_AUTHORIZED;
            }
            if (address == null || address.isEmpty() || address.equals(record.iceServerAddress))
            {
                return DomainWrites.UNCHANGED;
            }
            record.iceServerAddress = address;
            return null;
        }));
    }

    /**
     * {@code PUT /api/v1/domains/{id}/public_key} (spec §2.5): stores the key as SPKI DER and hands it to the ICE
     * engine, both under the domain's {@link EngineKeys} lock so the engine ends with the key the registry holds.
     */
    void uploadPublicKey(final HttpServerExchange exchange, final byte[] body)
    {
        final UUID id = domainId(exchange);
        if (id == null)
        {
            return;
        }
        final MultipartForm form = MultipartForm.parse(
            exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE), body,
            exchange.getConnection().getByteBufferPool());
        if (form == null)
        {
            replies.failure(exchange, Failure.BAD_REQUEST,
                "expected a multipart/form-data body with a public_key part");
            return;
        }
        final String apiKey = form.text("api_key");
        final Credentials.Offered bearer = Credentials.bearer(exchange);
        final byte[] upload = form.part("public_key");
        final DomainPublicKeys.Parsed[] parsed = new DomainPublicKeys.Parsed[1];
        reply(exchange, writes.change(id, current ->
        {
            if (!credentials.authorizes(current, apiKey, bearer))
            {
                return Refusal.NOT_AUTHORIZED;
            }
            if (parsed[0] == null)
            {
                parsed[0] = DomainPublicKeys.parse(upload);
            }
            final DomainPublicKeys.Parsed key = parsed[0];
            if (key.error() != null)
            {
                return new Refusal(Failure.BAD_KEY, key.error());
            }
            if (Arrays.equals(key.spki(), current.publicKey))
            {
                return DomainWrites.UNCHANGED;
            }
            if (!engineKeys.fits(key.spki()))
            {
                return new Refusal(Failure.BAD_KEY, "public key does not fit the engine's ring slots");
            }
            current.publicKey = key.spki();
            return null;
        }));
    }

    /** {@code GET /api/v1/domains/{id}/public_key}, as the reference ICE server reads it (ice-wire.md §5.2). */
    void readPublicKey(final HttpServerExchange exchange, final byte[] body)
    {
        final UUID id = domainId(exchange);
        if (id == null)
        {
            return;
        }
        final DomainRecord record = registry.get(id);
        if (record == null)
        {
            replies.failure(exchange, Failure.UNKNOWN_DOMAIN, "No domain");
            return;
        }
        final String key = record.publicKey == null ? "" : Base64.getEncoder().encodeToString(record.publicKey);
        replies.success(exchange, Map.of("public_key", key));
    }

    /** {@code GET /api/v1/domains/{id}}: the full public info, also at top level for legacy callers (§3.7). */
    void readDomain(final HttpServerExchange exchange, final byte[] body)
    {
        final UUID id = domainId(exchange);
        if (id == null)
        {
            return;
        }
        final DomainRecord record = registry.get(id);
        if (record == null)
        {
            replies.failure(exchange, Refusal.UNKNOWN_DOMAIN);
            return;
        }
        replies.successWithDomain(exchange,
            DomainInfo.full(record, clock.getAsLong(), activeMs, credentials.isOperator(Credentials.bearer(exchange))));
    }

    /**
     * {@code GET /api/v1/domains?page=&per_page=&online=}: every domain's public info, oldest first, with Iamus'
     * paging fields; {@code online=true} keeps the active domains, {@code online=false} the others.
     */
    void listDomains(final HttpServerExchange exchange, final byte[] body)
    {
        final int page = Math.max(1, intParameter(exchange, "page", 1));
        final int perPage = Math.min(MAX_PER_PAGE, Math.max(1, intParameter(exchange, "per_page", MAX_PER_PAGE)));
        final String online = parameter(exchange, "online");
        final long nowMs = clock.getAsLong();
        final boolean forOperator = credentials.isOperator(Credentials.bearer(exchange));

        final List<DomainRecord> selected = new ArrayList<>();
        for (final DomainRecord record : listing.snapshot(nowMs))
        {
            if (online == null || Boolean.parseBoolean(online) == record.isActive(nowMs, activeMs))
            {
                selected.add(record);
            }
        }
        final List<DomainInfo.Full> domains = new ArrayList<>();
        final long first = (long)(page - 1) * perPage;
        for (long i = first; i < Math.min(selected.size(), first + perPage); i++)
        {
            domains.add(DomainInfo.full(selected.get((int)i), nowMs, activeMs, forOperator));
        }
        replies.json(exchange, new DomainPage("success", Map.of("domains", domains), page, perPage,
            (selected.size() + perPage - 1) / perPage, selected.size()));
    }

    /** {@code DELETE /api/v1/domains/{id}} by the operator; the ICE engine forgets the domain's key and peer. */
    void deleteDomain(final HttpServerExchange exchange, final byte[] body)
    {
        if (!operator(exchange))
        {
            return;
        }
        final UUID id = domainId(exchange);
        if (id == null)
        {
            return;
        }
        if (!writes.remove(id, DomainCommands.ANY_REVISION))
        {
            replies.failure(exchange, Refusal.UNKNOWN_DOMAIN);
            return;
        }
        counters.removedDeleted.increment();
        replies.success(exchange);
    }

    /** {@code GET /api/metaverse_info}: bare JSON without the envelope (spec §4). */
    void metaverseInfo(final HttpServerExchange exchange, final byte[] body)
    {
        final String url = context.publicUrl() != null ? context.publicUrl() :
            exchange.getRequestScheme() + "://" + exchange.getHostAndPort();
        final String host = URI.create(url).getHost();
        final String iceServer = (host == null ? exchange.getHostName() : host) + ":" + context.icePort();
        replies.json(exchange,
            new MetaverseInfo(context.name(), context.name(), url, iceServer, Map.of("version-tag", VERSION_TAG)));
    }

    private DomainRecord newDomain(
        final String name, final boolean temporary, final HttpServerExchange exchange, final long nowMs)
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        record.name = name;
        record.temporary = temporary;
        record.apiKey = UUID.randomUUID().toString();
        record.whenCreatedMs = nowMs;
        final InetSocketAddress source = exchange.getSourceAddress();
        record.addrOfFirstContact = source == null ? null :
            source.getAddress().getHostAddress() + ":" + source.getPort();
        return record;
    }

    private boolean insert(final HttpServerExchange exchange, final DomainRecord record)
    {
        if (registry.size() >= context.maxDomains())
        {
            replies.failure(exchange, Failure.REGISTRY_FULL, "the domain registry is full");
            return false;
        }
        final Refusal refusal = writes.create(record);
        if (refusal != null)
        {
            replies.failure(exchange, refusal);
            return false;
        }
        return true;
    }

    private boolean operator(final HttpServerExchange exchange)
    {
        final Credentials.Offered bearer = Credentials.bearer(exchange);
        if (credentials.isOperator(bearer))
        {
            return true;
        }
        replies.failure(exchange, Failure.UNAUTHORIZED, bearer.token() == null ? "Not logged in" : "Not authorized");
        return false;
    }

    private void reply(final HttpServerExchange exchange, final Refusal refusal)
    {
        if (refusal == null)
        {
            replies.success(exchange);
        }
        else
        {
            replies.failure(exchange, refusal);
        }
    }

    /**
     * The request's JSON object, or null after answering 400: a body that is not JSON, or not an object, is refused
     * before its credentials are looked at. Old domain-servers dropped the closing brace, so a body that does not
     * parse is tried once more with one appended, as Iamus does (spec §1.2). An empty body is {@code {}}.
     */
    private JsonNode parse(final HttpServerExchange exchange, final byte[] body)
    {
        final JsonNode tree = readObject(body);
        if (tree == null)
        {
            final byte[] patched = Arrays.copyOf(body, body.length + 1);
            patched[body.length] = '}';
            final JsonNode repaired = readObject(patched);
            if (repaired == null)
            {
                replies.failure(exchange, Refusal.JSON_PARSE_ERROR);
            }
            return repaired;
        }
        return tree;
    }

    /** The body as one JSON object (none at all is the empty object), or null. */
    private JsonNode readObject(final byte[] body)
    {
        try
        {
            final JsonNode tree = wholeBody.readTree(body);
            if (tree == null || tree.isMissingNode())
            {
                return MissingNode.getInstance();
            }
            return tree.isObject() ? tree : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** The {id} of the path as a canonical UUID, or null after answering 404. */
    private UUID domainId(final HttpServerExchange exchange)
    {
        final String text = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("id");
        final UUID id = isCanonicalUuid(text) ? UUID.fromString(text) : null;
        if (id == null)
        {
            replies.failure(exchange, Refusal.UNKNOWN_DOMAIN);
        }
        return id;
    }

    /** {@code xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} in hex; {@link UUID#fromString} alone accepts shorter forms. */
    static boolean isCanonicalUuid(final String text)
    {
        if (text == null || text.length() != 36)
        {
            return false;
        }
        for (int i = 0; i < 36; i++)
        {
            final char c = text.charAt(i);
            final boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static String parameter(final HttpServerExchange exchange, final String name)
    {
        final Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }

    private static int intParameter(final HttpServerExchange exchange, final String name, final int otherwise)
    {
        final String value = parameter(exchange, name);
        try
        {
            return value == null ? otherwise : Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            return otherwise;
        }
    }
}
