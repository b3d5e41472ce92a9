package io.switchboard.edge.metaverse;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The real appliance in-process on loopback, every port chosen by the kernel, with a client for its metaverse API. */
final class MetaverseAppliance implements AutoCloseable
{
    static final String ADMIN_TOKEN = "operator-token-for-tests-0123456789";

    private final Appliance appliance;
    private final MetaverseHttp http;

    private MetaverseAppliance(final Appliance appliance)
    {
        this.appliance = appliance;
        this.http = new MetaverseHttp(appliance.port("metaverse"));
    }

    static MetaverseAppliance start(final Path dataDir, final String... extra)
    {
        final List<String> args = new ArrayList<>(options(dataDir));
        args.add("--admin-token=" + ADMIN_TOKEN);
        args.addAll(Arrays.asList(extra));
        return new MetaverseAppliance(Appliance.start(Options.parse(args.toArray(String[]::new))));
    }

    /** Every listener on a free port, loopback only, a small registry in {@code dataDir}. */
    static List<String> options(final Path dataDir)
    {
        return List.of(AnyPorts.with("--data-dir=" + Objects.requireNonNull(dataDir), "--metaverse-max-domains=1024"));
    }

    MetaverseHttp http()
    {
        return http;
    }

    int metaversePort()
    {
        return appliance.port("metaverse");
    }

    int port(final String listener)
    {
        return appliance.port(listener);
    }

    int icePort()
    {
        return appliance.port("ice");
    }

    String readyLine()
    {
        return appliance.readyLine();
    }

    long metric(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }

    /** The series once it reaches {@code expected}, or its value after about two seconds. */
    long awaitMetric(final String series, final long expected) throws Exception
    {
        return Scrape.awaitValue(appliance.port("admin"), series, expected);
    }

    @Override
    public void close()
    {
        appliance.close();
    }
}
