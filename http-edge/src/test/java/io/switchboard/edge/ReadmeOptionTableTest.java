package io.switchboard.edge;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.FlagSet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The option table of docs/options.md is {@link OptionSpec} written out: the same options in the same order, each with its value
 * hint and its default; an option without a default shows none.
 */
class ReadmeOptionTableTest
{
    private static final String TABLE_HEADER = "| Option | Default | Meaning |";

    /** One row of the table: {@code --name=HINT} and the default cell, as written. */
    private record Row(String option, String defaultCell)
    {
    }

    @Test
    void theTableListsEveryOptionOnceInOrderWithItsHintAndDefault() throws IOException
    {
        final Map<String, Row> rows = readmeRows();
        final List<String> problems = new ArrayList<>();
        for (final Flag flag : Options.FLAGS.flags())
        {
            final Row row = rows.get(flag.name());
            if (row == null)
            {
                problems.add("--" + flag.name() + " is missing");
                continue;
            }
            final String option = "--" + flag.name() + (FlagSet.HELP.equals(flag.name()) ? "" : "=" + flag.valueHint());
            if (!row.option().equals(option))
            {
                problems.add("--" + flag.name() + " is written " + row.option() + ", declared " + option);
            }
            final String expected = flag.defaultValue() == null || flag.defaultValue().isEmpty() ?
                null : "`" + flag.defaultValue() + "`";
            final String shown = row.defaultCell().startsWith("`") ? row.defaultCell() : null;
            if (expected == null ? shown != null : !expected.equals(shown))
            {
                problems.add("--" + flag.name() + " shows default " + row.defaultCell() + ", declared " +
                    (expected == null ? "none" : expected));
            }
        }
        final List<String> declared = Options.FLAGS.flags().stream().map(Flag::name).toList();
        for (final String name : rows.keySet())
        {
            if (!declared.contains(name))
            {
                problems.add("--" + name + " is in docs/options.md but not in OptionSpec");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(declared, List.copyOf(rows.keySet()), "docs/options.md lists the options in OptionSpec's order");
    }

    /** Option name to its row, in the table's order; a name written twice is a failure. */
    private static Map<String, Row> readmeRows() throws IOException
    {
        final Path readme = Path.of(System.getProperty("user.dir")).getParent().resolve("docs").resolve("options.md");
        final List<String> lines = Files.readAllLines(readme);
        final int header = lines.indexOf(TABLE_HEADER);
        assertTrue(header >= 0, "docs/options.md has the option table");
        final Map<String, Row> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++)
        {
            final List<String> cells = cells(lines.get(i));
            final String option = unquote(cells.get(0));
            final int equals = option.indexOf('=');
            final String name = (equals < 0 ? option : option.substring(0, equals)).substring(2);
            assertTrue(rows.put(name, new Row(option, cells.get(1))) == null, "docs/options.md lists --" + name + " twice");
        }
        assertTrue(rows.size() > 10, "the option table has rows");
        return rows;
    }

    /** The cells of a table row; {@code \|} is a literal bar inside a cell. */
    private static List<String> cells(final String line)
    {
        final List<String> cells = new ArrayList<>();
        final StringBuilder cell = new StringBuilder();
        for (int i = 1; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|')
            {
                cell.append('|');
                i++;
            }
            else if (c == '|')
            {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            }
            else
            {
                cell.append(c);
            }
        }
        return cells;
    }

    private static String unquote(final String cell)
    {
        assertTrue(cell.startsWith("`--") && cell.endsWith("`"), "an option cell is `--name...`: " + cell);
        return cell.substring(1, cell.length() - 1);
    }
}
