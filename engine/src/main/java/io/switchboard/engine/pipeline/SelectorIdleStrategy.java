package io.switchboard.engine.pipeline;

import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * Spins briefly after the last datagram (a burst usually has more), then blocks in {@code select} until a socket is
 * readable, so an idle appliance uses no CPU and a busy one never enters the kernel to wait.
 */
public final class SelectorIdleStrategy implements IdleStrategy
{
    public static final String ALIAS = "selector";
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    private final Selector selector;
    private final int maxSpins;
    private final long selectTimeoutMs;
    private int spins;

    public SelectorIdleStrategy(final Selector selector, final int maxSpins, final long selectTimeoutMs)
    {
        this.selector = selector;
        this.maxSpins = maxSpins;
        this.selectTimeoutMs = selectTimeoutMs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        try
        {
            selector.select(IGNORE, selectTimeoutMs);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
    }

    @Override
    public String alias()
    {
        return ALIAS;
    }
}
