package io.switchboard.edge.tls;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The appliance as an operator starts it with a certificate: a file it cannot use stops it before it is ready, with
 * exit code 1 and one line naming the file.
 */
class TlsStartupTest
{
    private static final String CANNOT_START = "switchboard: cannot start: ";

    @TempDir
    static Path dir;
    private static Path cert;

    @BeforeAll
    static void issue() throws Exception
    {
        final TestPki pki = TestPki.ca("EC");
        final TestPki.Issued server = pki.server("startup.test", "EC");
        cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
    }

    @Test
    void anUnreadableKeyFileStopsTheStartNamingIt() throws Exception
    {
        final Path missing = dir.resolve("missing-key.pem");
        final String line = refusal("unreadable", "--tls-cert=" + cert, "--tls-key=" + missing,
            "--tls-listeners=metaverse,rendezvous");

        assertEquals(CANNOT_START + missing + ": cannot read it (NoSuchFileException)", line);
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartNamingTheKeyFile() throws Exception
    {
        final Path other = Files.writeString(dir.resolve("other-key.pem"),
            TestPki.pkcs8(TestPki.keyPair("EC").getPrivate()));
        final String line = refusal("mismatched", "--tls-cert=" + cert, "--tls-key=" + other,
            "--tls-listeners=metaverse,rendezvous");

        assertTrue(line.startsWith(CANNOT_START + other + ": the key is not the one of the certificate in " + cert),
            line);
    }

    @Test
    void aCertificateWithoutItsKeyIsAUsageError() throws Exception
    {
        final String line = refusal("half", "--tls-cert=" + cert, "--tls-listeners=metaverse");

        assertTrue(line.contains("--tls-cert and --tls-key go together"), line);
    }

    /** Launches the appliance, which must exit 1 before its ready line; the one line saying why. */
    private static String refusal(final String name, final String... flags) throws Exception
    {
        final Path stderr = dir.resolve(name + ".stderr");
        final String[] args = AnyPorts.with(flags);
        final String[] withData = new String[args.length + 1];
        System.arraycopy(args, 0, withData, 0, args.length);
        withData[args.length] = "--data-dir=" + dir.resolve(name + "-data");
        final Process process = ApplianceProcess.launch(ProcessBuilder.Redirect.to(stderr.toFile()),
            withData);
        final String stdout = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        assertTrue(!stdout.contains("switchboard ready"), stdout);
        final List<String> lines = Files.readAllLines(stderr).stream()
            .filter(line -> line.startsWith(CANNOT_START)).toList();
        assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(stderr)));
        return lines.get(0);
    }
}
