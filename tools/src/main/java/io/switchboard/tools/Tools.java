package io.switchboard.tools;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.FlagSet;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.dop.DopLoad;
import io.switchboard.tools.echo.NioEchoServer;
import io.switchboard.tools.ice.IceClient;
import io.switchboard.tools.ice.IceFlood;
import io.switchboard.tools.ice.IceLoad;
import io.switchboard.tools.junk.JunkLoad;
import io.switchboard.tools.load.UdpLoadGenerator;
import io.switchboard.tools.metaverse.MetaverseLoad;
import io.switchboard.tools.ws.PeerJsLoad;
import io.switchboard.tools.pulse.PulseClient;
import io.switchboard.tools.pulse.PulseLoad;
import io.switchboard.tools.soak.SoakReport;
import io.switchboard.tools.soak.SoakSampler;
import io.switchboard.tools.stun.StunLoad;
import io.switchboard.tools.tls.TlsHandshakeLoad;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of {@code switchboard-tools.jar}: {@code java -jar switchboard-tools.jar <subcommand> [--flag=value ...]}.
 * <p>
 * To add a subcommand, add one entry to {@link #SUBCOMMANDS}.
 */
public final class Tools
{
    /**
     * One subcommand: parses its own flags (with {@link #flags}) and returns the process exit code.
     */
    @FunctionalInterface
    public interface Subcommand
    {
        int run(String[] args) throws Exception;
    }

    /** How the tools are started: the start of every usage line. */
    public static final String INVOCATION = "java -jar switchboard-tools.jar";

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private static final Map<String, Subcommand> SUBCOMMANDS = new TreeMap<>(Map.ofEntries(
        Map.entry(NioEchoServer.COMMAND, NioEchoServer::command),
        Map.entry(UdpLoadGenerator.COMMAND, UdpLoadGenerator::command),
        Map.entry(IceClient.COMMAND, IceClient::command),
        Map.entry(IceLoad.COMMAND, IceLoad::command),
        Map.entry(IceFlood.COMMAND, IceFlood::command),
        Map.entry(PulseClient.COMMAND, PulseClient::command),
        Map.entry(PulseLoad.COMMAND, PulseLoad::command),
        Map.entry(PeerJsLoad.COMMAND, PeerJsLoad::command),
        Map.entry(DopLoad.COMMAND, DopLoad::command),
        Map.entry(MetaverseLoad.COMMAND, MetaverseLoad::command),
        Map.entry(JunkLoad.COMMAND, JunkLoad::command),
        Map.entry(SoakSampler.COMMAND, SoakSampler::command),
        Map.entry(SoakReport.COMMAND, SoakReport::command),
        Map.entry(StunLoad.COMMAND, StunLoad::command),
        Map.entry(TlsHandshakeLoad.COMMAND, TlsHandshakeLoad::command)));

    private Tools()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Dispatch to a subcommand.
     *
     * @param args subcommand name followed by its flags.
     * @return the exit code: the subcommand's own, {@link #EXIT_USAGE} on bad arguments, {@link #EXIT_FAILED} on error.
     */
    public static int run(final String[] args)
    {
        if (args.length == 0 || "--help".equals(args[0]))
        {
            System.out.print(usage());
            return args.length == 0 ? EXIT_USAGE : EXIT_OK;
        }

        final Subcommand subcommand = SUBCOMMANDS.get(args[0]);
        if (null == subcommand)
        {
            System.err.print("unknown subcommand '" + args[0] + "'\n" + usage());
            return EXIT_USAGE;
        }

        try
        {
            return subcommand.run(Arrays.copyOfRange(args, 1, args.length));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
            return EXIT_FAILED;
        }
    }

    /**
     * Parses a subcommand's flags with the appliance's parser: the same syntax, errors (prefixed with the
     * subcommand's name) and {@code --help} layout.
     *
     * @param command  the subcommand's name.
     * @param declared the flags it accepts, in the order {@code --help} lists them.
     * @param args     the arguments after the subcommand's name.
     * @throws IllegalArgumentException on a positional argument or an undeclared flag.
     */
    public static Flags flags(final String command, final List<Flag> declared, final String[] args)
    {
        return new FlagSet(INVOCATION + " " + command, "", command, declared).parse(args);
    }

    private static String usage()
    {
        return FlagSet.usageLine(INVOCATION + " <subcommand>") +
            "subcommands: " + String.join(", ", SUBCOMMANDS.keySet()) + "\n" +
            "<subcommand> --help lists its flags\n";
    }
}
