package io.switchboard.engine.pipeline;

import org.agrona.concurrent.Agent;

/**
 * Threading {@code shared}: the receiver and the handler's ring poller as one agent on one thread, the way Aeron's
 * media driver composes its agents in its shared mode. A burst read from the sockets is handled before the next.
 */
final class EngineAgent implements Agent
{
    private final UdpReceiver receiver;
    private final RingPoller poller;

    EngineAgent(final UdpReceiver receiver, final RingPoller poller)
    {
        this.receiver = receiver;
        this.poller = poller;
    }

    @Override
    public int doWork() throws Exception
    {
        return receiver.doWork() + poller.doWork();
    }

    /** The receiver stops first, then the poller handles what the ring holds and closes the protocols. */
    @Override
    public void onClose()
    {
        receiver.onClose();
        poller.onClose();
    }

    @Override
    public String roleName()
    {
        return "switchboard-engine";
    }
}
