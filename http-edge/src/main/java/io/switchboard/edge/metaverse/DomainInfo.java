package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * The JSON views of a domain (spec §3.7) for the fields switchboard keeps; absent values are left out, as Iamus
 * does. Never carries the api_key except in the creation reply. A domain not heard from within the active window
 * shows no users, as Iamus' liveness sweep leaves it (§3.4).
 */
final class DomainInfo
{
    private static final String VISIBILITY_OPEN = "open";
    private static final String MATURITY_UNRATED = "unrated";
    private static final DateTimeFormatter ISO_MILLIS =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** What {@code GET /api/v1/domains/{id}} and the listing show. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Full(
        @JsonProperty("domainId") String domainId,
        String id,
        String name,
        String visibility,
        String worldName,
        String label,
        String publicKey,
        String iceServerAddress,
        String version,
        String protocolVersion,
        String networkAddress,
        Integer networkPort,
        String automaticNetworking,
        Boolean restricted,
        int numUsers,
        int anonUsers,
        int totalUsers,
        Integer capacity,
        String description,
        String maturity,
        String restriction,
        List<String> tags,
        Meta meta,
        Users users,
        String timeOfLastHeartbeat,
        String timeOfLastHeartbeatS,
        String addrOfFirstContact,
        String whenDomainEntryCreated,
        String whenDomainEntryCreatedS,
        boolean active,
        boolean temporary)
    {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Meta(
        Integer capacity,
        String contactInfo,
        String description,
        List<String> images,
        String restriction,
        List<String> tags,
        String thumbnail,
        String worldName)
    {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Users(int numAnonUsers, int numUsers)
    {
    }

    /** What the creation replies show ({@code api_key} only there). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Small(
        String id,
        @JsonProperty("domainId") String domainId,
        String name,
        String visibility,
        Integer capacity,
        String label,
        String networkAddress,
        Integer networkPort,
        String iceServerAddress,
        String version,
        String protocolVersion,
        boolean active,
        String timeOfLastHeartbeat,
        String timeOfLastHeartbeatS,
        int numUsers,
        String apiKey)
    {
    }

    private DomainInfo()
    {
    }

    static Full full(final DomainRecord record, final long nowMs, final long activeMs, final boolean forOperator)
    {
        final boolean active = record.isActive(nowMs, activeMs);
        final int users = active ? record.numUsers : 0;
        final int anonUsers = active ? record.anonUsers : 0;
        final String id = record.id.toString();
        final Integer capacity = record.capacity < 0 ? null : record.capacity;
        return new Full(
            id,
            id,
            record.name,
            VISIBILITY_OPEN,
            record.name,
            record.name,
            record.publicKey == null ? null : Base64.getEncoder().encodeToString(record.publicKey),
            record.iceServerAddress,
            record.version,
            record.protocol,
            record.networkAddress,
            record.networkPort < 0 ? null : record.networkPort,
            record.automaticNetworking,
            record.restricted,
            users,
            anonUsers,
            users,
            capacity,
            record.description,
            record.maturity == null ? MATURITY_UNRATED : record.maturity,
            record.restriction,
            record.tags,
            new Meta(capacity, record.contactInfo, record.description, record.images, record.restriction, record.tags,
                record.thumbnail, record.name),
            new Users(anonUsers, users),
            isoTime(record.lastHeartbeatMs),
            millisString(record.lastHeartbeatMs),
            forOperator ? record.addrOfFirstContact : null,
            isoTime(record.whenCreatedMs),
            millisString(record.whenCreatedMs),
            active,
            record.temporary);
    }

    static Small small(final DomainRecord record, final long nowMs, final long activeMs, final boolean withApiKey)
    {
        final boolean active = record.isActive(nowMs, activeMs);
        final String id = record.id.toString();
        return new Small(
            id,
            id,
            record.name,
            VISIBILITY_OPEN,
            record.capacity < 0 ? null : record.capacity,
            record.name,
            record.networkAddress,
            record.networkPort < 0 ? null : record.networkPort,
            record.iceServerAddress,
            record.version,
            record.protocol,
            active,
            isoTime(record.lastHeartbeatMs),
            millisString(record.lastHeartbeatMs),
            active ? record.numUsers : 0,
            withApiKey ? record.apiKey : null);
    }

    /** JavaScript's {@code toISOString()}: always milliseconds. Null for a time that never happened. */
    private static String isoTime(final long epochMs)
    {
        return epochMs <= 0 ? null : ISO_MILLIS.format(Instant.ofEpochMilli(epochMs));
    }

    /** Iamus' {@code *_s} fields are strings of milliseconds, not seconds (spec §3.7). */
    private static String millisString(final long epochMs)
    {
        return epochMs <= 0 ? null : Long.toString(epochMs);
    }
}
