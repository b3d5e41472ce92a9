package io.switchboard.engine.pipeline;

/**
 * A UDP listener the engine should open: its name (used in metrics and the ready line), port (0 = any free port) and
 * the protocol that serves it, built once the socket is bound.
 */
public record UdpListenerSpec(String name, int port, ProtocolFactory factory)
{
    /**
     * Builds the listener's protocol on the engine's thread of construction; it runs on the handler thread, reads
     * time from {@code clock} and keeps its deadlines on {@code timers}, the handler's one wheel.
     */
    @FunctionalInterface
    public interface ProtocolFactory
    {
        UdpProtocol create(DatagramSender sender, EngineClock clock, EngineTimers timers, CommandPublisher commands);
    }
}
