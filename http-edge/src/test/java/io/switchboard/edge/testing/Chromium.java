package io.switchboard.edge.testing;

import java.nio.file.Path;

/** Debian's Chromium for the page tests: the binary, not /usr/bin's wrapper script ({@link DebianPackage}). */
public final class Chromium
{
    private Chromium()
    {
    }

    public static Path executable() throws Exception
    {
        return DebianPackage.program(Path.of("/usr/lib/chromium/chromium"), "chromium");
    }
}
