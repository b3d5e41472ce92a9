package io.switchboard.edge;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The composition root ({@code io.switchboard.edge}: {@link Appliance}, {@link Options}, {@link OptionSpec},
 * {@link Contexts}) depends on the protocol packages beneath it, never the other way: no compiled class of
 * {@code io.switchboard.edge.<sub>} names a class of {@code io.switchboard.edge} itself. Read from the classes'
 * constant pools, so an import, a field type, a signature or a fully qualified name all count.
 */
class PackageCycleTest
{
    private static final String ROOT = "io/switchboard/edge/";
    private static final Pattern ROOT_CLASS =
        Pattern.compile("io/switchboard/edge/([A-Za-z0-9_$]+)(?![A-Za-z0-9_$/])");

    @Test
    void noSubPackageClassNamesAClassOfTheCompositionRoot() throws Exception
    {
        final Path classes = classesDirectory();
        final List<String> offences = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes.resolve(ROOT)))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".class"))::iterator)
            {
                final String name = classes.relativize(file).toString().replace('\\', '/');
                if (name.indexOf('/', ROOT.length()) < 0)
                {
                    continue;
                }
                scanned++;
                for (final String root : rootClassesNamedBy(file))
                {
                    offences.add(name + " -> " + ROOT + root);
                }
            }
        }
        assertTrue(scanned > 50, "scanned only " + scanned + " classes under " + classes);
        assertEquals(List.of(), offences, "sub-packages of io.switchboard.edge name the composition root");
    }

    @Test
    void theScanSeesWhatTheCompositionRootItselfNames() throws Exception
    {
        final Set<String> named = rootClassesNamedBy(classesDirectory().resolve(ROOT + "Appliance.class"));
        assertTrue(named.contains("Contexts"), named.toString());
        assertTrue(named.contains("DataDirectory"), named.toString());
        assertFalse(named.contains("Appliance"), "a class's own name is not a dependency");
    }

    private static Path classesDirectory() throws URISyntaxException
    {
        return Path.of(Appliance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Simple names of the {@code io.switchboard.edge} classes the class file names, other than its own (nest). */
    private static Set<String> rootClassesNamedBy(final Path classFile) throws IOException
    {
        final String self = classFile.getFileName().toString().replace(".class", "");
        final String outer = self.contains("$") ? self.substring(0, self.indexOf('$')) : self;
        final Set<String> named = new TreeSet<>();
        for (final String text : utf8Constants(classFile))
        {
            final Matcher matcher = ROOT_CLASS.matcher(text);
            while (matcher.find())
            {
                final String simple = matcher.group(1);
                final String simpleOuter = simple.contains("$") ? simple.substring(0, simple.indexOf('$')) : simple;
                if (!simpleOuter.equals(outer))
                {
                    named.add(simple);
                }
            }
        }
        return named;
    }

    /** Every CONSTANT_Utf8 of a class file (JVMS 4.4): class names, descriptors and signatures are among them. */
    private static List<String> utf8Constants(final Path classFile) throws IOException
    {
        final List<String> constants = new ArrayList<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in))
        {
            if (data.readInt() != 0xCAFEBABE)
            {
                throw new IOException("not a class file: " + classFile);
            }
            data.readUnsignedShort();
            data.readUnsignedShort();
            final int count = data.readUnsignedShort();
            for (int i = 1; i < count; i++)
            {
                final int tag = data.readUnsignedByte();
                switch (tag)
                {
                    case 1 -> constants.add(data.readUTF());
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 ->
                    {
                        data.skipBytes(8);
                        i++;
                    }
                    default -> throw new IOException("constant pool tag " + tag + " in " + classFile);
                }
            }
        }
        return constants;
    }
}
