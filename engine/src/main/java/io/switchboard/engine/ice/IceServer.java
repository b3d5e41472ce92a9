package io.switchboard.engine.ice;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.DomainIdCommand;
import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.limit.TokenBuckets;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.pipeline.UdpProtocol;
import io.switchboard.engine.table.IcePeerRecord;
import io.switchboard.engine.table.IcePeerTable;
import io.switchboard.engine.table.UuidKey;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * The Vircadia ICE server's rules (ice-wire.md §4) on the handler thread: verify signed domain heartbeats and keep
 * the domain's sockets; answer client queries with the two PeerInformation packets; forget silent domains.
 * Beyond the reference: a heartbeat byte-identical to the last verified one skips RSA; a failed verification never
 * evicts a good key nor blocks genuine heartbeats; queries are rate limited per source host and the PeerInformation
 * sent to a domain per domain; RSA verifications and key fetches are budgeted per source host, so one host's flood
 * spends its own budgets only.
 * In a cluster ({@link IceContext#linkOutbox()} set), {@link IceCluster} shares which node holds which domain: a query
 * for a domain that heartbeats to another node is answered from this socket as from a local record, and the holder
 * sends the domain the querier's PeerInformation from its socket, with its own sequence numbers.
 */
public final class IceServer implements UdpProtocol
{
    public static final String LISTENER = "ice";

    private static final int MIN_DATAGRAM = IceHeader.LENGTH + 2;

    private final IceHeader header = new IceHeader();
    private final IceServerHeartbeat heartbeat = new IceServerHeartbeat();
    private final IceServerQuery query = new IceServerQuery();
    private final UuidKey probe = new UuidKey();
    private final IcePeerRecord record = new IcePeerRecord();
    private final IcePeerTable peers;
    private final DomainKeys keys;
    private final DomainKeyFetcher fetcher;
    private final TokenBuckets queryLimiter;
    private final TokenBuckets verifyLimiter;
    private final TokenBuckets fetchLimiter;
    private final TokenBuckets hostFetchLimiter;
    private final TokenBuckets peerInfoLimiter;
    private final DestinationSequences sequences;
    /** Each known domain's expiry timer, on the handler's wheel: it fires at the first poll at or after it. */
    private final EngineTimers.Owner expiryTimers;
    // Objects, not two long maps: any long may be half of a domain id, so no missing value is free.
    private final Long2ObjectHashMap<UuidKey> timerDomains = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<InetSocketAddress> activeSockets = new Long2ObjectHashMap<>();
    private final int activeSocketsCapacity;
    private final DatagramSender sender;
    private final EngineClock clock;
    private final CommandPublisher commands;
    private final IceCounters counters;
    private final HeartbeatVerifier verifier;
    private final long peerTimeoutMs;
    private final long keyFetchDeadlineMs;
    private final long keyFetchBackoffMs;
    private final long keyFetchMaxBackoffMs;
    /** Null on one box: then nothing crosses nodes and every path is as without a cluster. */
    private final IceCluster cluster;

    public IceServer(
        final IceContext context,
        final Metrics metrics,
        final DatagramSender sender,
        final EngineClock clock,
        final EngineTimers timers,
        final CommandPublisher commands,
        final DomainKeyFetcher fetcher)
    {
        this.sender = sender;
        this.clock = clock;
        this.commands = commands;
        this.fetcher = fetcher;
        this.counters = new IceCounters(metrics);
        this.peers = new IcePeerTable(context.iceMaxDomains());
        this.keys = new DomainKeys(context.iceMaxDomains());
        this.queryLimiter = new TokenBuckets(context.rateLimitSlots(), context.iceQueryRate(), context.iceQueryBurst());
        this.verifyLimiter = new TokenBuckets(
            context.rateLimitSlots(), context.iceVerifyRate(), context.iceVerifyBurst());
        this.fetchLimiter = new TokenBuckets(2, context.keyFetchRate(), context.keyFetchRate());
        final int hostFetchRate = Math.min(context.keyFetchRatePerHost(), context.keyFetchRate());
        this.hostFetchLimiter = new TokenBuckets(context.rateLimitSlots(), hostFetchRate, hostFetchRate);
        this.peerInfoLimiter = new TokenBuckets(
            context.rateLimitSlots(), context.icePeerInfoRate(), context.icePeerInfoRate());
        this.sequences = new DestinationSequences(context.sequenceSlots());
        this.expiryTimers = timers.register(this::onExpiryTimer);
        this.activeSocketsCapacity = 2 * context.iceMaxDomains();
        this.peerTimeoutMs = context.icePeerTimeoutMs();
        this.keyFetchDeadlineMs = 2 * context.keyFetchTimeoutMs();
        this.keyFetchBackoffMs = context.keyFetchBackoffMs();
        this.keyFetchMaxBackoffMs = context.keyFetchMaxBackoffMs();
        this.cluster = context.linkOutbox() == null ? null :
            // Every node holds at most --ice-max-domains of its own: room for all of them, so others' never crowd out ours.
            new IceCluster(context.linkOutbox(), context.linkOutbox().memberCount() * context.iceMaxDomains(), metrics);
        this.verifier = HeartbeatVerifier.open(context.iceVerifyProvider(), context.maxDatagramBytes());
        IceCounters.verifyProvider(metrics, verifier.providerName());
        for (final String entry : context.domainKeys())
        {
            preloadDomainKey(entry);
        }
    }

    @Override
    public void onDatagram(
        final DirectBuffer buffer, final int length, final InetSocketAddress source, final long sourceFingerprint)
    {
        if (length < MIN_DATAGRAM)
        {
            counters.inOther.incrementRelease();
            counters.droppedMalformed.incrementRelease();
            return;
        }
        header.wrap(buffer, 0);
        final byte type = header.type();
        if (type == IcePacketType.SERVER_HEARTBEAT)
        {
            counters.inHeartbeat.incrementRelease();
        }
        else if (type == IcePacketType.SERVER_QUERY)
        {
            counters.inQuery.incrementRelease();
        }
        else
        {
            counters.inOther.incrementRelease();
        }
        if (!header.isPlainDataPacket())
        {
            counters.droppedNotPlain.incrementRelease();
            return;
        }
        if (header.version() != IcePacketType.versionOf(type))
        {
            counters.droppedVersion.incrementRelease();
            return;
        }
        if (type == IcePacketType.SERVER_HEARTBEAT)
        {
            onHeartbeat(buffer, length, source, sourceFingerprint);
        }
        else if (type == IcePacketType.SERVER_QUERY)
        {
            onQuery(buffer, length, source, sourceFingerprint);
        }
        else
        {
            counters.droppedIgnoredType.incrementRelease();
        }
    }

    private void onHeartbeat(
        final DirectBuffer buffer, final int length, final InetSocketAddress source, final long sourceFingerprint)
    {
        if (!heartbeat.wrap(buffer, 0, length))
        {
            counters.droppedMalformed.incrementRelease();
            return;
        }
        final long nowMs = clock.nowMs();
        probe.set(heartbeat.domainIdMsb(), heartbeat.domainIdLsb());
        // Everything after the sequence word: a domain re-sends the same signed bytes until its sockets change.
        final int cachedOffset = IceHeader.TYPE_OFFSET;
        final int cachedLength = length - IceHeader.TYPE_OFFSET;
        if (peers.touchIfSameHeartbeat(probe, buffer, cachedOffset, cachedLength, sourceFingerprint, nowMs))
        {
            counters.verificationsCached.incrementRelease();
            counters.heartbeatsAcked.incrementRelease();
            reply(IcePacketType.SERVER_HEARTBEAT_ACK, source, sourceFingerprint, counters.outAck);
            return;
        }
        final boolean known = peers.get(probe, record);
        // The same signed bytes from another socket (the domain moved): no RSA, but the active socket changes.
        if (known && record.matchesVerifiedHeartbeat(buffer, cachedOffset, cachedLength))
        {
            counters.verificationsCached.incrementRelease();
            accept(buffer, source, sourceFingerprint, nowMs, false);
            return;
        }

        final DomainKeys.DomainKey key = keys.get(probe);
        if (key == null)
        {
            requestKey(nowMs, sourceFingerprint);
            deny(source, sourceFingerprint);
            return;
        }
        // RSA is the one expensive step: a host sending changed or forged heartbeats gets a bounded share of it.
        if (!verifyLimiter.tryAcquire(sourceFingerprint >>> 16, nowMs))
        {
            counters.droppedVerifyRateLimited.incrementRelease();
            return;
        }
        if (!verifier.verify(key, buffer, heartbeat.plaintextOffset(), heartbeat.plaintextLength(),
            heartbeat.signatureOffset(), heartbeat.signatureLength()))
        {
            counters.verificationsFailed.incrementRelease();
            // The key may have been rotated at the metaverse; the current one stays in use meanwhile.
            requestKey(nowMs, sourceFingerprint);
            deny(source, sourceFingerprint);
            return;
        }
        counters.verificationsFull.incrementRelease();
        if (!known && peers.isFull())
        {
            counters.droppedTableFull.incrementRelease();
            deny(source, sourceFingerprint);
            return;
        }
        record.verifiedHeartbeat(buffer, cachedOffset, cachedLength);
        accept(buffer, source, sourceFingerprint, nowMs, !known);
    }

    private void accept(
        final DirectBuffer buffer,
        final InetSocketAddress source,
        final long sourceFingerprint,
        final long nowMs,
        final boolean isNew)
    {
        record.sockets(buffer, heartbeat.publicSocketOffset(), heartbeat.publicSocketLength() +
            heartbeat.localSocketLength());
        record.lastHeardMs(nowMs);
        if (record.activeFingerprint() != sourceFingerprint || isNew)
        {
            setActive(source, sourceFingerprint);
        }
        if (isNew)
        {
            record.expiryTimerId(scheduleExpiry(probe.copy(), nowMs + peerTimeoutMs));
            counters.activeDomains.setRelease(peers.size() + 1);
        }
        peers.put(probe, record);
        if (cluster != null && cluster.changed(probe.msb(), probe.lsb(), record.sockets(), 0, record.socketsLength()))
        {
            cluster.held(probe.msb(), probe.lsb(), nowMs, record.sockets(), 0, record.socketsLength());
        }
        counters.heartbeatsAcked.incrementRelease();
        reply(IcePacketType.SERVER_HEARTBEAT_ACK, source, sourceFingerprint, counters.outAck);
    }

    private void setActive(final InetSocketAddress source, final long sourceFingerprint)
    {
        if (SocketAddresses.isIpv4(sourceFingerprint))
        {
            record.activeIpv4(SocketAddresses.ipv4Of(sourceFingerprint), source.getPort(), sourceFingerprint);
        }
        else
        {
            record.active((byte)6, source.getAddress().getAddress(), source.getPort(), sourceFingerprint);
        }
        if (activeSockets.size() >= activeSocketsCapacity)
        {
            activeSockets.clear();
        }
        activeSockets.put(sourceFingerprint, source);
    }

    private void deny(final InetSocketAddress source, final long sourceFingerprint)
    {
        counters.heartbeatsDenied.incrementRelease();
        reply(IcePacketType.SERVER_HEARTBEAT_DENIED, source, sourceFingerprint, counters.outDenied);
    }

    private void reply(
        final byte type,
        final InetSocketAddress destination,
        final long destinationFingerprint,
        final AtomicCounter counter)
    {
        final int length = IceHeader.put(sender.buffer(), 0, sequences.next(destinationFingerprint), type);
        if (sender.send(length, destination))
        {
            counter.incrementRelease();
        }
    }

    private void requestKey(final long nowMs, final long sourceFingerprint)
    {
        if (fetcher == null || !keys.fetchDue(probe, nowMs))
        {
            return;
        }
        // One host's share first, so a flood of unknown ids from it cannot spend every other domain's fetches.
        if (!hostFetchLimiter.tryAcquire(sourceFingerprint >>> 16, nowMs) || !fetchLimiter.tryAcquire(0, nowMs))
        {
            counters.keyFetchesSkipped.incrementRelease();
            return;
        }
        keys.fetchStarted(probe, nowMs, keyFetchDeadlineMs);
        counters.keyFetchesStarted.incrementRelease();
        fetcher.fetch(probe.msb(), probe.lsb(), commands);
    }

    private void onQuery(
        final DirectBuffer buffer, final int length, final InetSocketAddress source, final long sourceFingerprint)
    {
        final long nowMs = clock.nowMs();
        // Per host, not per port: the replies are what an attacker spoofing the source would aim at a victim.
        if (!queryLimiter.tryAcquire(sourceFingerprint >>> 16, nowMs))
        {
            counters.droppedRateLimited.incrementRelease();
            return;
        }
        if (!query.wrap(buffer, 0, length))
        {
            counters.droppedMalformed.incrementRelease();
            return;
        }
        probe.set(query.domainIdMsb(), query.domainIdLsb());
        if (!peers.get(probe, record))
        {
            if (cluster == null || !onRemoteQuery(buffer, source, sourceFingerprint, nowMs))
            {
                counters.queriesUnknownDomain.incrementRelease();
            }
            return;
        }
        counters.queriesAnswered.incrementRelease();

        final int sent = IceServerPeerInformation.put(sender.buffer(), 0, sequences.next(sourceFingerprint),
            probe.msb(), probe.lsb(), record.sockets(), 0, record.socketsLength());
        if (sender.send(sent, source))
        {
            counters.outPeerInformation.incrementRelease();
        }
        introduce(buffer, query.clientPeerOffset(), query.clientPeerLength(), nowMs);
    }

    /**
     * A query for a domain another node holds: the querier's PeerInformation from this socket, as if the domain were
     * here, and the holder asked to send the domain the querier's from its own (the one the domain's NAT is open to).
     */
    private boolean onRemoteQuery(
        final DirectBuffer buffer, final InetSocketAddress source, final long sourceFingerprint, final long nowMs)
    {
        final int entry = cluster.findRemote(probe.msb(), probe.lsb());
        if (entry == IceLocations.NONE)
        {
            return false;
        }
        final IceLocations locations = cluster.locations();
        cluster.queriesAnsweredRemote.incrementRelease();
        final int sent = IceServerPeerInformation.put(sender.buffer(), 0, sequences.next(sourceFingerprint),
            probe.msb(), probe.lsb(), locations.buffer(), locations.socketsOffset(entry),
            locations.socketsLength(entry));
        if (sender.send(sent, source))
        {
            counters.outPeerInformation.incrementRelease();
        }
        // The domain's share here too (its holder applies it again), so a spoofed flood of queries for one domain
        // cannot fill the link queue to its holder.
        if (peerInfoLimiter.tryAcquire(probe.msb() ^ probe.lsb(), nowMs))
        {
            cluster.introduce(locations.holder(entry), probe.msb(), probe.lsb(), buffer, query.clientPeerOffset(),
                query.clientPeerLength());
        }
        else
        {
            counters.droppedPeerInfoRateLimited.incrementRelease();
        }
        return true;
    }

    /** Sends the domain in {@link #record} a querier's NetworkPeer, {@code peer[offset, offset + length)}. */
    private void introduce(final DirectBuffer peer, final int offset, final int length, final long nowMs)
    {
        // Spoofed queries from many hosts must not turn the server into a flood toward one domain.
        if (!peerInfoLimiter.tryAcquire(probe.msb() ^ probe.lsb(), nowMs))
        {
            counters.droppedPeerInfoRateLimited.incrementRelease();
            return;
        }
        final InetSocketAddress domain = activeSocket();
        if (domain != null)
        {
            final int sent = IceServerPeerInformation.put(
                sender.buffer(), 0, sequences.next(record.activeFingerprint()), peer, offset, length);
            if (sender.send(sent, domain))
            {
                counters.outPeerInformation.incrementRelease();
            }
        }
    }

    private InetSocketAddress activeSocket()
    {
        final long fingerprint = record.activeFingerprint();
        InetSocketAddress address = activeSockets.get(fingerprint);
        if (address != null && !SocketAddresses.isIpv4(fingerprint) && !isActiveSocket(address))
        {
            address = null; // an IPv6 fingerprint is a hash: another domain's socket may share it
        }
        if (address == null)
        {
            try
            {
                final byte[] raw = Arrays.copyOf(record.activeAddress(), record.activeFamily() == 4 ? 4 : 16);
                address = new InetSocketAddress(InetAddress.getByAddress(raw), record.activePort());
                activeSockets.put(fingerprint, address);
            }
            catch (final UnknownHostException ex)
            {
                return null;
            }
        }
        return address;
    }

    /** Whether {@code address} is the record's IPv6 active socket (IPv4 fingerprints are exact, never asked). */
    private boolean isActiveSocket(final InetSocketAddress address)
    {
        return address.getPort() == record.activePort() &&
            Arrays.equals(address.getAddress().getAddress(), 0, 16, record.activeAddress(), 0, 16);
    }

    /** @param domain kept by the timer until it fires (a re-scheduled timer keeps the same one) */
    private long scheduleExpiry(final UuidKey domain, final long deadlineMs)
    {
        final long timerId = expiryTimers.schedule(deadlineMs, 0);
        timerDomains.put(timerId, domain);
        return timerId;
    }

    /** A heartbeat moves the deadline without touching the timer: when the timer fires, it re-arms at the last one. */
    private void onExpiryTimer(final long timerId, final int unused, final long nowMs)
    {
        final UuidKey domain = timerDomains.remove(timerId);
        if (domain == null)
        {
            return;
        }
        probe.set(domain.msb(), domain.lsb());
        if (!peers.get(probe, record) || record.expiryTimerId() != timerId)
        {
            return;
        }
        final long silentUntilMs = record.lastHeardMs() + peerTimeoutMs;
        if (nowMs < silentUntilMs)
        {
            record.expiryTimerId(scheduleExpiry(domain, silentUntilMs));
            peers.put(probe, record);
            return;
        }
        removePeer(true);
        keys.forgetRemote(probe);
        counters.expired.incrementRelease();
    }

    /** @param released whether to tell the other nodes (not when one of them took the domain) */
    private void removePeer(final boolean released)
    {
        if (peers.remove(probe))
        {
            activeSockets.remove(record.activeFingerprint());
            counters.activeDomains.setRelease(peers.size());
        }
        if (released && cluster != null)
        {
            cluster.released(probe.msb(), probe.lsb());
        }
    }

    /** Domains expire on the handler's wheel, polled before this tick; full announcements to peers go on. */
    @Override
    public void onTick(final long nowMs)
    {
        if (cluster != null)
        {
            cluster.onTick();
        }
    }

    @Override
    public boolean onLinkMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!LinkTypes.inBlock(messageType, LinkTypes.ICE_FIRST))
        {
            return false;
        }
        if (cluster == null || originNode == cluster.self() || originNode < 0)
        {
            return true;
        }
        switch (messageType)
        {
            case IceLinkMessages.LOCATION:
                cluster.receivedLocation.incrementRelease();
                if (!IceLinkMessages.isLocation(buffer, offset, length))
                {
                    cluster.droppedMalformed.incrementRelease();
                    break;
                }
                onLocation(originNode, buffer, offset, length);
                break;
            case IceLinkMessages.GONE:
                cluster.receivedGone.incrementRelease();
                if (length != IceLinkMessages.GONE_LENGTH)
                {
                    cluster.droppedMalformed.incrementRelease();
                    break;
                }
                cluster.gone(originNode, IceLinkMessages.msb(buffer, offset), IceLinkMessages.lsb(buffer, offset));
                break;
            case IceLinkMessages.INTRODUCE:
                cluster.receivedIntroduce.incrementRelease();
                if (!IceLinkMessages.isIntroduce(buffer, offset, length))
                {
                    cluster.droppedMalformed.incrementRelease();
                    break;
                }
                probe.set(IceLinkMessages.msb(buffer, offset), IceLinkMessages.lsb(buffer, offset));
                if (!peers.get(probe, record))
                {
                    cluster.droppedUnknownDomain.incrementRelease();
                    break;
                }
                introduce(buffer, offset + IceLinkMessages.INTRODUCE_PEER_OFFSET,
                    length - IceLinkMessages.INTRODUCE_PEER_OFFSET, clock.nowMs());
                break;
            case IceLinkMessages.SYNC_START:
            case IceLinkMessages.SYNC_END:
                cluster.receivedSync.incrementRelease();
                if (length != IceLinkMessages.ROUND_LENGTH)
                {
                    cluster.droppedMalformed.incrementRelease();
                }
                else if (messageType == IceLinkMessages.SYNC_START)
                {
                    cluster.syncStarted(originNode, IceLinkMessages.round(buffer, offset));
                }
                else
                {
                    cluster.syncEnded(originNode, IceLinkMessages.round(buffer, offset));
                }
                break;
            default:
                cluster.droppedMalformed.incrementRelease();
                break;
        }
        return true;
    }

    /**
     * Another node claims a domain. Held here too: the more recent claim wins (our last verified heartbeat against
     * its claim's time), so a domain that moved is dropped here, and one that came back is claimed again.
     */
    private void onLocation(final int originNode, final DirectBuffer buffer, final int offset, final int length)
    {
        final long msb = IceLinkMessages.msb(buffer, offset);
        final long lsb = IceLinkMessages.lsb(buffer, offset);
        final long since = IceLinkMessages.since(buffer, offset);
        probe.set(msb, lsb);
        if (peers.get(probe, record))
        {
            final long heardMs = record.lastHeardMs();
            if (heardMs > since || (heardMs == since && cluster.self() < originNode))
            {
                cluster.droppedStale.incrementRelease();
                cluster.held(msb, lsb, heardMs, record.sockets(), 0, record.socketsLength());
                return;
            }
            removePeer(false);
            cluster.movedAway.incrementRelease();
        }
        cluster.located(originNode, msb, lsb, since, buffer, offset + IceLinkMessages.LOCATION_SOCKETS_OFFSET,
            length - IceLinkMessages.LOCATION_SOCKETS_OFFSET);
    }

    @Override
    public void onPeerNode(final int node, final boolean up, final long incarnation)
    {
        if (cluster != null)
        {
            cluster.onPeerNode(node, up);
        }
    }

    @Override
    public boolean onCommand(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (type)
        {
            case CommandType.DOMAIN_KEY:
                onDomainKey(buffer, offset, length);
                return true;
            case CommandType.DOMAIN_KEY_FETCH_FAILED:
                probe.set(DomainIdCommand.msb(buffer, offset), DomainIdCommand.lsb(buffer, offset));
                counters.keyFetchesFailed.incrementRelease();
                keys.fetchFailed(probe, clock.nowMs(), keyFetchBackoffMs, keyFetchMaxBackoffMs);
                return true;
            case CommandType.DOMAIN_REMOVED:
                probe.set(DomainIdCommand.msb(buffer, offset), DomainIdCommand.lsb(buffer, offset));
                if (keys.remove(probe))
                {
                    counters.keysRemoved.incrementRelease();
                }
                if (peers.get(probe, record))
                {
                    removePeer(true);
                }
                return true;
            default:
                return false;
        }
    }

    private void onDomainKey(final DirectBuffer buffer, final int offset, final int length)
    {
        probe.set(DomainKeyCommand.msb(buffer, offset), DomainKeyCommand.lsb(buffer, offset));
        final byte origin = DomainKeyCommand.origin(buffer, offset);
        final int keyLength = DomainKeyCommand.keyLength(buffer, offset, length);
        final byte[] spki = keyLength < 0 ? null : DomainKeyCommand.key(buffer, offset, keyLength);
        final PublicKey key = spki == null ? null : verifier.parse(spki);
        if (key == null)
        {
            counters.keysInvalid.incrementRelease();
            if (origin == DomainKeyCommand.ORIGIN_REMOTE)
            {
                counters.keyFetchesFailed.incrementRelease();
                keys.fetchFailed(probe, clock.nowMs(), keyFetchBackoffMs, keyFetchMaxBackoffMs);
            }
            return;
        }
        if (origin == DomainKeyCommand.ORIGIN_REMOTE)
        {
            counters.keyFetchesOk.incrementRelease();
        }
        counters.keysAccepted.incrementRelease();
        if (keys.put(probe, key, spki, origin) && peers.get(probe, record))
        {
            // A heartbeat verified with the old key proves nothing about the new one.
            record.forgetVerifiedHeartbeat();
            peers.put(probe, record);
        }
    }

    private void preloadDomainKey(final String entry)
    {
        final int colon = entry.indexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("domain key must be UUID:BASE64_SPKI: " + entry);
        }
        final UUID domain;
        final byte[] spki;
        try
        {
            domain = UUID.fromString(entry.substring(0, colon).trim());
            spki = Base64.getMimeDecoder().decode(entry.substring(colon + 1).trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("domain key must be UUID:BASE64_SPKI: " + entry, ex);
        }
        final PublicKey key = verifier.parse(spki);
        if (key == null)
        {
            throw new IllegalArgumentException("domain key for " + domain + " is not an RSA SPKI key of at least " +
                HeartbeatVerifier.MIN_RSA_BITS + " bits");
        }
        probe.set(domain.getMostSignificantBits(), domain.getLeastSignificantBits());
        keys.put(probe, key, spki, DomainKeyCommand.ORIGIN_LOCAL);
        counters.keysAccepted.incrementRelease();
    }

    @Override
    public void close()
    {
        peers.close();
    }
}
