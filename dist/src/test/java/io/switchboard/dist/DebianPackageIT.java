package io.switchboard.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Debian package the build made, read with Debian's own tools: its contents and modes, its control data and
 * conffiles, its systemd unit verified by {@code systemd-analyze} (no warning about it), every option its config
 * file mentions is a real one, and its launcher, run from the unpacked tree with the packaged config file, starts the
 * appliance to its ready line.
 */
class DebianPackageIT
{
    private static final Path DEB = Path.of(System.getProperty("switchboard.deb"));
    private static Path tree;

    @TempDir
    static Path unpacked;

    @BeforeAll
    static void unpack() throws Exception
    {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed: the package is not checked here");
        assertTrue(Files.isRegularFile(DEB), DEB + " was built");
        tree = unpacked.resolve("root");
        run("dpkg-deb", "-x", DEB.toString(), tree.toString());
    }

    @Test
    void holdsTheJarTheLauncherTheConfigAndTheUnitWithTheirModes() throws Exception
    {
        final String listing = run("dpkg-deb", "-c", DEB.toString());
        assertFile(listing, "-rw-r--r--", "./usr/share/switchboard/switchboard.jar");
        assertFile(listing, "-rwxr-xr-x", "./usr/bin/switchboard");
        assertFile(listing, "-rw-r--r--", "./etc/switchboard/switchboard.conf");
        assertFile(listing, "-rw-r--r--", "./lib/systemd/system/switchboard.service");
        assertFile(listing, "-rw-r--r--", "./usr/share/doc/switchboard/copyright");
    }

    @Test
    void controlDataNamesAJdkTheConffileAndTheMaintainerScripts() throws Exception
    {
        assertEquals("switchboard", run("dpkg-deb", "-f", DEB.toString(), "Package").trim());
        assertEquals("all", run("dpkg-deb", "-f", DEB.toString(), "Architecture").trim());
        final String depends = run("dpkg-deb", "-f", DEB.toString(), "Depends");
        assertTrue(depends.contains("openjdk-17-jdk-headless") && depends.contains("adduser"), depends);
        final Path control = unpacked.resolve("control");
        run("dpkg-deb", "-e", DEB.toString(), control.toString());
        assertEquals(List.of("/etc/switchboard/switchboard.conf"), Files.readAllLines(control.resolve("conffiles")));
        for (final String script : List.of("postinst", "prerm", "postrm"))
        {
            assertTrue(Files.isExecutable(control.resolve(script)), script);
            run("sh", "-n", control.resolve(script).toString()); // parses as a shell script
        }
        final String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("adduser --system") && postinst.contains("/var/lib/switchboard"));
    }

    @Test
    void theUnitVerifiesWithoutAWarning() throws Exception
    {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
        final String unit = Files.readString(tree.resolve("lib/systemd/system/switchboard.service"));
        assertTrue(unit.contains("Restart=on-failure") && unit.contains("RestartSec=15") &&
            unit.contains("LimitNOFILE=1048576") && unit.contains("AmbientCapabilities=CAP_NET_BIND_SERVICE") &&
            unit.contains("User=switchboard") && unit.contains("ProtectSystem=strict"), unit);
        // The unit as installed, but starting the unpacked launcher (verify checks that ExecStart is executable).
        final Path copy = unpacked.resolve("switchboard.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/switchboard",
            "ExecStart=" + tree.resolve("usr/bin/switchboard")));
        final Process verify = new ProcessBuilder("systemd-analyze", "verify", copy.toString())
            .redirectErrorStream(true).start();
        final String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        final List<String> problems = output.lines()
            .filter(line -> line.contains("switchboard.service"))
            .collect(Collectors.toList());
        assertTrue(problems.isEmpty(), "systemd-analyze verify: " + output);
    }

    @Test
    void everyOptionTheConfigFileMentionsIsARealOne() throws Exception
    {
        final Path conf = tree.resolve("etc/switchboard/switchboard.conf");
        final List<String> uncommented = new ArrayList<>();
        for (final String line : Files.readAllLines(conf))
        {
            uncommented.add(line.matches("#[a-z][a-z0-9-]*=.*") ? line.substring(1) : line);
        }
        final Path all = unpacked.resolve("all-options.conf");
        Files.write(all, uncommented);
        final String help = run(tree.resolve("usr/bin/switchboard").toString(), "--config=" + all, "--help");
        assertTrue(help.startsWith("usage: "), help);
    }

    @Test
    void theLauncherStartsTheApplianceFromTheUnpackedTreeWithThePackagedConfig() throws Exception
    {
        final Path data = unpacked.resolve("data");
        final List<String> command = new ArrayList<>(List.of(tree.resolve("usr/bin/switchboard").toString(),
            "--data-dir=" + data));
        for (final String port : List.of("ice", "metaverse", "pulse", "rendezvous", "peerjs", "admin"))
        {
            command.add("--" + port + "-port=0");
        }
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process appliance = builder.start();
        try
        {
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(appliance.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String ready = null;
            while (ready == null && (line = out.readLine()) != null)
            {
                if (line.startsWith("switchboard ready "))
                {
                    ready = line;
                }
            }
            assertTrue(ready != null && ready.contains("admin=http:"), "ready line: " + ready);
            assertTrue(Files.isDirectory(data), "state in the data dir given over the file's");
        }
        finally
        {
            appliance.destroy();
            assertTrue(appliance.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops it");
        }
    }

    private static void assertFile(final String listing, final String mode, final String path)
    {
        assertTrue(listing.lines().anyMatch(line -> line.startsWith(mode) && line.endsWith(" " + path)),
            path + " " + mode + " in\n" + listing);
    }

    private static boolean onPath(final String tool)
    {
        for (final String dir : System.getenv("PATH").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return false;
    }

    /** Runs a command to its end; its stdout, which must have exited 0. */
    private static String run(final String... command) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process process = builder.start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " ends");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " exits 0");
        return out;
    }
}
