package io.switchboard.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine the report was measured on, read from {@code /proc} and the running JVM (the servers' JVM too).
 *
 * @param cores     online processors.
 * @param cpuModel  the first {@code model name} of {@code /proc/cpuinfo}.
 * @param memoryGib {@code MemTotal} of {@code /proc/meminfo}.
 * @param kernel    {@code /proc/sys/kernel/osrelease}.
 * @param jdk       vendor, runtime version and VM of this JVM.
 */
record Machine(int cores, String cpuModel, double memoryGib, String kernel, String jdk)
{
    private static final double KIB_PER_GIB = 1024.0 * 1024.0;

    static Machine describe() throws IOException
    {
        return new Machine(
            Runtime.getRuntime().availableProcessors(),
            procField(Path.of("/proc/cpuinfo"), "model name", "unknown"),
            Double.parseDouble(procField(Path.of("/proc/meminfo"), "MemTotal", "0 kB").split(" ")[0]) / KIB_PER_GIB,
            Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(),
            System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " (" +
                System.getProperty("java.vm.name") + ")");
    }

    String describeLine()
    {
        return String.format(Locale.ROOT, "%d cores, %s, %.1f GiB, Linux %s, %s", cores, cpuModel, memoryGib, kernel,
            jdk);
    }

    private static String procField(final Path file, final String name, final String absent) throws IOException
    {
        for (final String line : Files.readAllLines(file))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return absent;
    }
}
