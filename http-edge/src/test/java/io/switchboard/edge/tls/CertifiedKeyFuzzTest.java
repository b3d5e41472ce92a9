package io.switchboard.edge.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as the key file, or as the certificate file, beside a good other half (a toy 512-bit RSA pair, seeds in
 * {@code CertifiedKeyFuzzTestInputs}): the pair is read only when the key is the certificate's; anything else is
 * refused with one line naming the file at fault, never another exception.
 */
class CertifiedKeyFuzzTest
{
    private static final Path CERT = Path.of("/etc/switchboard/cert.pem");
    private static final Path KEY = Path.of("/etc/switchboard/key.pem");
    private static final byte[] TOY_CERT = seed("certificateFile/toy_rsa_512_self_signed");
    private static final byte[] TOY_KEY = seed("keyFile/pkcs8_toy_rsa_512");
    private static final byte[] PROBE = "a probe the fuzzer does not choose".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest
    void keyFile(final byte[] text)
    {
        final CertifiedKey pair;
        try
        {
            pair = CertifiedKey.parse(CERT, TOY_CERT, KEY, text);
        }
        catch (final IllegalArgumentException ex)
        {
            assertOneLineNaming(ex, KEY);
            return;
        }
        // Read only when it signs for the certificate: not necessarily the same bytes (a PKCS#1 key whose private
        // exponent is off still signs right through its CRT fields).
        assertEquals(CertifiedKey.parse(CERT, TOY_CERT, KEY, TOY_KEY).leaf(), pair.leaf());
        assertTrue(signsFor(pair), "the key read signs for the certificate");
    }

    @FuzzTest
    void certificateFile(final byte[] text)
    {
        final CertifiedKey pair;
        try
        {
            pair = CertifiedKey.parse(CERT, text, KEY, TOY_KEY);
        }
        catch (final IllegalArgumentException ex)
        {
            assertTrue(ex.getMessage().startsWith(CERT + ": ") || ex.getMessage().startsWith(KEY + ": the key is"),
                ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
            return;
        }
        assertEquals(CertifiedKey.parse(CERT, TOY_CERT, KEY, TOY_KEY).leaf().getPublicKey(),
            pair.leaf().getPublicKey());
    }

    private static boolean signsFor(final CertifiedKey pair)
    {
        try
        {
            final Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(pair.key());
            signer.update(PROBE);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(pair.leaf().getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    private static void assertOneLineNaming(final IllegalArgumentException ex, final Path file)
    {
        assertTrue(ex.getMessage().startsWith(file + ": "), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n") || ex.getMessage().contains("\r"), ex.getMessage());
    }

    private static byte[] seed(final String name)
    {
        try (InputStream in = CertifiedKeyFuzzTest.class.getResourceAsStream("CertifiedKeyFuzzTestInputs/" + name))
        {
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
