package io.switchboard.edge.websocket;

import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.edge.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The listening socket of a signaling port, watched by one of its {@link SignalingAgents}: {@code accept -> per-host
 * cap -> connection budget ({@link ListenerAdmission}) -> next agent's inbox (ADOPT) -> HttpConnection} (which, on a
 * TLS port, reads through a {@link TlsChannel}). A connection
 * over a cap is counted and reset at once (no TIME_WAIT), never left in the backlog. When accepting fails (out of
 * descriptors), the socket is not watched for {@link #ACCEPT_PAUSE_MS}, so a level-triggered selector does not spin.
 */
public final class SignalingAcceptor implements SignalingAgent.Attachment, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SignalingAcceptor.class);
    /** Accepts per wake-up, so a flood cannot keep the agent from its other sockets. */
    private static final int ACCEPTS_PER_WAKEUP = 64;
    static final long ACCEPT_PAUSE_MS = 100;

    private final String name;
    private final ServerSocketChannel server;
    private final SignalingAgents agents;
    private final SignalingAgent agent;
    private final HttpConnection.Listener listener;
    private SelectionKey key;

    private SignalingAcceptor(
        final String name, final ServerSocketChannel server, final SignalingAgents agents,
        final HttpConnection.Listener listener)
    {
        this.name = name;
        this.server = server;
        this.agents = agents;
        this.agent = agents.next();
        this.listener = listener;
    }

    /**
     * Binds {@code bindAddress:port} (0 for any free port) with {@code backlog} and starts accepting on one of
     * {@code agents}; each connection is owned by the next agent, and its requests go to {@code service}. With
     * {@code tls} (null for none) the port speaks only TLS (https and wss), after any PROXY header.
     */
    public static SignalingAcceptor start(
        final String name,
        final InetAddress bindAddress,
        final int port,
        final int backlog,
        final ListenerAdmission admission,
        final SignalingAgents agents,
        final HttpService service,
        final ServerTls tls)
    {
        ServerSocketChannel server = null;
        try
        {
            server = ServerSocketChannel.open();
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bindAddress, port), backlog);
        }
        catch (final IOException ex)
        {
            closeQuietly(server);
            throw new UncheckedIOException(
                "cannot listen on " + bindAddress.getHostAddress() + ":" + port + " (" + name + ")", ex);
        }
        final SignalingAcceptor acceptor =
            new SignalingAcceptor(name, server, agents, HttpConnection.Listener.of(name, service, admission, tls));
        acceptor.agent.enqueue(SignalingAgent.Command.ADOPT, acceptor);
        return acceptor;
    }

    public int port()
    {
        try
        {
            return ((InetSocketAddress)server.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void adopt()
    {
        try
        {
            key = agent.register(this, server, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException ex)
        {
            LOG.error("{} listener: cannot watch its socket", name, ex);
            abort();
        }
    }

    @Override
    public void onReady(final int readyOps)
    {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                LOG.warn("{} listener: accept failed; accepting again in {} ms", name, ACCEPT_PAUSE_MS, ex);
                pause();
                return;
            }
            if (channel == null)
            {
                return;
            }
            admit(channel);
        }
    }

    private void admit(final SocketChannel channel)
    {
        final ListenerAdmission.Lease lease;
        try
        {
            final InetAddress peer = ((InetSocketAddress)channel.getRemoteAddress()).getAddress();
            final boolean trusted = listener.admission().context().trustedProxies().contains(peer);
            if (listener.admission().context().proxyProtocol() && !trusted)
            {
                listener.admission().refusedProxyUntrusted().increment();
                lease = null;
            }
            else
            {
                // A trusted proxy's own connections carry many clients: not held to the per-host cap.
                lease = listener.admission().admit(trusted ? null : peer);
            }
            if (lease == null)
            {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.close();
                return;
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(channel); // reset by the client already
            return;
        }
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            lease.release();
            return;
        }
        final SignalingAgent owner = agents.next();
        owner.enqueue(SignalingAgent.Command.ADOPT, new HttpConnection(channel, lease, listener, owner));
    }

    private void pause()
    {
        if (key != null && key.isValid())
        {
            key.interestOps(0);
            agent.schedule(agent.nowMs() + ACCEPT_PAUSE_MS, nowMs ->
            {
                if (key.isValid())
                {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            });
        }
    }

    @Override
    public void goAway()
    {
        abort();
    }

    @Override
    public void abort()
    {
        closeQuietly(server);
    }

    /** Stops accepting (from any thread); connections already accepted stay with their agents. */
    @Override
    public void close()
    {
        closeQuietly(server);
    }

    private static void closeQuietly(final Channel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Closed is closed.
            }
        }
    }
}
