package io.switchboard.edge.testing;

import io.switchboard.edge.OptionSpec;
import io.switchboard.engine.config.Flag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Arguments that put every listener the appliance has on "any free port" of 127.0.0.1 (unless the caller binds elsewhere), plus the caller's own. */
public final class AnyPorts
{
    private AnyPorts()
    {
    }

    public static String[] with(final String... extra)
    {
        final List<String> args = new ArrayList<>();
        for (final Flag spec : OptionSpec.ALL)
        {
            if (spec.name().endsWith("-port"))
            {
                args.add("--" + spec.name() + "=0");
            }
        }
        if (Arrays.stream(extra).noneMatch(arg -> arg.startsWith("--bind-address=")))
        {
            args.add("--bind-address=127.0.0.1");
        }
        args.addAll(Arrays.asList(extra));
        return args.toArray(String[]::new);
    }
}
