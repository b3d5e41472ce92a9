package io.switchboard.edge;

import io.switchboard.engine.config.Flags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar switchboard.jar [--name=value ...]}: starts the appliance and prints its ready line; stops on
 * SIGTERM, or with {@link #EXIT_AGENT_FAILED} once one of its threads failed, for its supervisor to restart it.
 */
public final class Main
{
    /** EX_SOFTWARE of sysexits.h: a thread of the appliance failed (see the log and /healthz). */
    public static final int EXIT_AGENT_FAILED = 70;

    private Main()
    {
    }

    /** The build's version (switchboard-version.properties), or "dev" when run from an unfiltered tree. */
    static String version()
    {
        try (InputStream in = Main.class.getResourceAsStream("/switchboard-version.properties"))
        {
            final Properties properties = new Properties();
            if (in != null)
            {
                properties.load(in);
            }
            return properties.getProperty("version", "dev");
        }
        catch (final IOException ex)
        {
            return "dev";
        }
    }

    public static void main(final String[] args) throws InterruptedException
    {
        // java -jar cannot carry -D flags in the manifest: set them before any library reads them.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        final Flags options;
        try
        {
            options = Options.parse(args);
            if (options.helpRequested())
            {
                System.out.print(options.help());
                return;
            }
            Logging.configure(options.choice("log-level", Logging.Verbosity.class),
                options.choice("log-format", Logging.Format.class), options.optional("log-file"),
                options.optional("access-log"));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("switchboard: " + ex.getMessage());
            System.exit(2);
            return;
        }

        final Appliance appliance;
        try
        {
            appliance = Appliance.start(options);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("switchboard: cannot start: " + ex.getMessage());
            System.exit(1);
            return;
        }

        final Logger log = LoggerFactory.getLogger(Main.class);
        final long startedNs = System.nanoTime();
        final CountDownLatch stoppedOrFailed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            log.info("stopping");
            appliance.close();
            log.info("stopped after {} s", (System.nanoTime() - startedNs) / 1_000_000_000L);
            stoppedOrFailed.countDown();
        }, "switchboard-shutdown"));
        appliance.liveness().onFailure(stoppedOrFailed::countDown);
        final String cluster = appliance.clusterLine();
        log.info("started version={} {} data-dir={}{}", version(), appliance.listenersLine(),
            options.value("data-dir"), cluster.isEmpty() ? "" : " " + cluster);
        System.out.println(appliance.readyLine());
        System.out.flush();
        stoppedOrFailed.await();
        if (!appliance.liveness().allAlive())
        {
            System.err.println("switchboard: stopping: a thread failed (see above); exit " + EXIT_AGENT_FAILED);
            System.exit(EXIT_AGENT_FAILED); // the shutdown hook still closes the appliance and flushes its tables
        }
    }
}
