package io.switchboard.edge.metaverse;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names for temporary domains as Iamus makes them (spec §3.2): a colour and an animal joined by a dash, such as
 * {@code amaranth-lion}. Names are labels, not identities, so they need not be unique.
 */
final class TemporaryNames
{
    private static final List<String> COLOURS = List.of(
        "amaranth", "amber", "aqua", "azure", "beige", "black", "blue", "bronze", "brown", "coral", "crimson",
        "cyan", "emerald", "fuchsia", "gold", "gray", "green", "indigo", "ivory", "jade", "lavender", "lemon",
        "lilac", "lime", "magenta", "maroon", "mauve", "mint", "navy", "ochre", "olive", "orange", "orchid",
        "peach", "pink", "plum", "purple", "red", "rose", "ruby", "saffron", "salmon", "sapphire", "scarlet",
        "silver", "tan", "teal", "turquoise", "violet", "white", "yellow");
    private static final List<String> ANIMALS = List.of(
        "albatross", "antelope", "badger", "bat", "bear", "beaver", "bison", "camel", "cat", "cheetah", "cobra",
        "crane", "crow", "deer", "dingo", "dolphin", "dove", "eagle", "eel", "elephant", "falcon", "ferret",
        "finch", "fox", "frog", "gazelle", "gecko", "giraffe", "goat", "goose", "gorilla", "hare", "hawk", "heron",
        "horse", "ibis", "jackal", "jaguar", "koala", "lemur", "leopard", "lion", "lizard", "llama", "lynx",
        "marmot", "mole", "moose", "newt", "octopus", "otter", "owl", "panda", "panther", "parrot", "pelican",
        "penguin", "puffin", "quail", "rabbit", "raven", "seal", "shark", "sloth", "sparrow", "squid", "swan",
        "tiger", "toucan", "turtle", "walrus", "weasel", "whale", "wolf", "wombat", "yak", "zebra");

    private TemporaryNames()
    {
    }

    static String next()
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        return COLOURS.get(random.nextInt(COLOURS.size())) + "-" + ANIMALS.get(random.nextInt(ANIMALS.size()));
    }
}
