package io.switchboard.engine.pulse;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/** The pulse rendezvous's operator-visible events. Written only by the handler thread. */
final class PulseCounters
{
    private static final String IN = "switchboard_pulse_datagrams_in_total";
    private static final String IN_HELP = "Pulse datagrams received, by payload form.";
    private static final String REPLIES = "switchboard_pulse_replies_total";
    private static final String REPLIES_HELP = "Pulse replies sent, by code (1020 on time, 1050 must re-verify, 1060 unknown).";
    private static final String DROPPED = "switchboard_pulse_dropped_total";
    private static final String DROPPED_HELP = "Pulse datagrams dropped without a reply, by reason.";
    private static final String COMMANDS = "switchboard_pulse_commands_total";
    private static final String COMMANDS_HELP = "HTTP requests applied by the engine, by command and outcome.";
    private static final String DEADLINES = "switchboard_pulse_deadlines_total";
    private static final String DEADLINES_HELP =
        "Deadlines passed: ONLINE clients turned PENDING, PENDING clients forgotten with their key.";
    private static final String CLIENTS = "switchboard_pulse_clients";
    private static final String CLIENTS_HELP = "Registered pulse clients, by state.";

    final AtomicCounter inRaw;
    final AtomicCounter inHex;
    final AtomicCounter droppedMalformed;
    final AtomicCounter replyOnTime;
    final AtomicCounter replyMustReverify;
    final AtomicCounter replyUnknown;
    final AtomicCounter registered;
    final AtomicCounter registerFull;
    final AtomicCounter registerDuplicate;
    final AtomicCounter registerLapsed;
    final AtomicCounter registerBusy;
    final AtomicCounter logoutBusy;
    final AtomicCounter verifiedOnline;
    final AtomicCounter verifiedAlreadyOnline;
    final AtomicCounter loggedOut;
    final AtomicCounter peerQueries;
    final AtomicCounter unknownKey;
    final AtomicCounter unknownPeer;
    final AtomicCounter malformedCommand;
    final AtomicCounter turnedPending;
    final AtomicCounter expired;
    final AtomicCounter online;
    final AtomicCounter pending;
    final AtomicCounter tableBytes;
    final AtomicCounter persisted;
    final AtomicCounter persistDeferred;
    final AtomicCounter persistErrors;

    PulseCounters(final Metrics metrics)
    {
        inRaw = metrics.counter(IN, "form=\"raw\"", IN_HELP);
        inHex = metrics.counter(IN, "form=\"hex\"", IN_HELP);
        droppedMalformed = metrics.counter(DROPPED, "reason=\"malformed\"", DROPPED_HELP);
        replyOnTime = metrics.counter(REPLIES, "code=\"" + PulseReply.ON_TIME + "\"", REPLIES_HELP);
        replyMustReverify = metrics.counter(REPLIES, "code=\"" + PulseReply.MUST_REVERIFY + "\"", REPLIES_HELP);
        replyUnknown = metrics.counter(REPLIES, "code=\"" + PulseReply.UNKNOWN_CLIENT + "\"", REPLIES_HELP);
        registered = metrics.counter(COMMANDS, "command=\"register\",result=\"ok\"", COMMANDS_HELP);
        registerFull = metrics.counter(COMMANDS, "command=\"register\",result=\"full\"", COMMANDS_HELP);
        registerDuplicate = metrics.counter(COMMANDS, "command=\"register\",result=\"duplicate\"", COMMANDS_HELP);
        registerLapsed = metrics.counter(COMMANDS, "command=\"register\",result=\"lapsed\"", COMMANDS_HELP);
        registerBusy = metrics.counter(COMMANDS, "command=\"register\",result=\"busy\"", COMMANDS_HELP);
        logoutBusy = metrics.counter(COMMANDS, "command=\"logout\",result=\"busy\"", COMMANDS_HELP);
        verifiedOnline = metrics.counter(COMMANDS, "command=\"verify\",result=\"online\"", COMMANDS_HELP);
        verifiedAlreadyOnline = metrics.counter(COMMANDS, "command=\"verify\",result=\"already_online\"", COMMANDS_HELP);
        loggedOut = metrics.counter(COMMANDS, "command=\"logout\",result=\"ok\"", COMMANDS_HELP);
        peerQueries = metrics.counter(COMMANDS, "command=\"peer_query\",result=\"ok\"", COMMANDS_HELP);
        unknownKey = metrics.counter(COMMANDS, "command=\"any\",result=\"unknown_key\"", COMMANDS_HELP);
        unknownPeer = metrics.counter(COMMANDS, "command=\"peer_query\",result=\"unknown_peer\"", COMMANDS_HELP);
        malformedCommand = metrics.counter(COMMANDS, "command=\"any\",result=\"malformed\"", COMMANDS_HELP);
        turnedPending = metrics.counter(DEADLINES, "result=\"pending\"", DEADLINES_HELP);
        expired = metrics.counter(DEADLINES, "result=\"expired\"", DEADLINES_HELP);
        online = metrics.gauge(CLIENTS, "state=\"online\"", CLIENTS_HELP);
        pending = metrics.gauge(CLIENTS, "state=\"pending\"", CLIENTS_HELP);
        tableBytes = metrics.gauge("switchboard_pulse_table_bytes", "",
            "Off-heap bytes reserved for pulse clients: the mapped client file, both indexes, the working records.");
        persisted = metrics.counter("switchboard_pulse_persisted_total", "",
            "Client changes written into the data dir's client file (a client changed twice meanwhile: once).");
        persistDeferred = metrics.counter("switchboard_pulse_persist_deferred_total", "",
            "Client changes the persister's full queue refused (a stalled file system); offered again each tick.");
        persistErrors = metrics.counter("switchboard_pulse_persist_errors_total", "",
            "Errors writing the client file; the persister carried on.");
    }
}
