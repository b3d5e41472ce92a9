package io.switchboard.edge;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar switchboard.jar [--name=value ...]}: starts the appliance and prints its ready line. */
public final class Main
{
    private Main()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        // java -jar cannot carry -D flags in the manifest: set them before any library reads them.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        final Options options;
        try
        {
            options = Options.parse(args);
            if (options.has("help"))
            {
                System.out.print(Options.help());
                return;
            }
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

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            appliance.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        System.out.println(appliance.readyLine());
        System.out.flush();
        stopped.await();
    }
}
