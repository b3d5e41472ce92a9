package io.switchboard.engine.pipeline;

/**
 * A UDP listener the engine should open: its name (used in metrics and the ready line), port (0 = any free port) and
 * the protocol that serves it, built once the socket is bound.
 */
public record UdpListenerSpec(String name, int port, ProtocolFactory factory)
{
    /** Builds the listener's protocol on the engine's thread of construction; it runs on the handler thread. */
    @FunctionalInterface
    public interface ProtocolFactory
    {
        UdpProtocol create(DatagramSender sender, EngineClock clock, CommandPublisher commands);
    }
}
