package io.switchboard.edge;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.switchboard.edge.http.AccessLog;
import io.switchboard.engine.config.Choices;
import org.slf4j.LoggerFactory;

/**
 * The appliance's logging, configured once from its options before anything starts: switchboard's own loggers at
 * {@code --log-level}, every library's at WARN (their INFO banners are not an operator's business), lines plain or
 * JSON ({@code --log-format}: {@link JsonLogLayout}), to stderr or to {@code --log-file}, which rolls at
 * {@link #ROLL_BYTES} keeping {@link #KEPT_FILES} old files. {@code --access-log} adds one Common Log Format line per
 * HTTP request ({@link AccessLog}), to its own rolling file. Nothing on the engine's thread logs per packet.
 */
public final class Logging
{
    /** {@code --log-format}. */
    public enum Format
    {
        PLAIN,
        JSON
    }

    /** {@code --log-level}: switchboard's own loggers. */
    public enum Verbosity
    {
        ERROR(Level.ERROR),
        WARN(Level.WARN),
        INFO(Level.INFO),
        DEBUG(Level.DEBUG);

        private final Level level;

        Verbosity(final Level level)
        {
            this.level = level;
        }
    }

    public static final String DEFAULT_FORMAT = Choices.flagValue(Format.PLAIN);
    public static final String DEFAULT_LEVEL = Choices.flagValue(Verbosity.INFO);
    static final long ROLL_BYTES = 100L * 1024 * 1024;
    static final int KEPT_FILES = 5;
    private static final String OWN = "io.switchboard";
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";

    private Logging()
    {
    }

    /** Replaces whatever logging was configured with what these settings say. */
    public static void configure(final Verbosity verbosity, final Format format, final String file, final String accessLog)
    {
        final LoggerContext context = (LoggerContext)LoggerFactory.getILoggerFactory();
        context.reset();
        final Appender<ILoggingEvent> appender = appender(context, "main", file, encoder(context, format));
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger(OWN).setLevel(verbosity.level);
        // Each use of the admin token is logged whatever the level.
        context.getLogger("io.switchboard.audit").setLevel(Level.INFO);
        // Every start opens the tables through Chronicle's recovery on purpose, under the data dir's lock; its two
        // warnings about recovery needing exclusive access would print at each start.
        context.getLogger("net.openhft.chronicle.map.ChronicleMapBuilder").setLevel(Level.ERROR);
        final Logger access = context.getLogger(AccessLog.LOGGER);
        access.setAdditive(false);
        if (accessLog == null)
        {
            access.setLevel(Level.OFF);
        }
        else
        {
            final PatternLayoutEncoder lines = new PatternLayoutEncoder();
            lines.setContext(context);
            lines.setPattern("%msg%n");
            lines.start();
            access.setLevel(Level.INFO);
            access.addAppender(appender(context, "access", accessLog, lines));
        }
    }

    private static Encoder<ILoggingEvent> encoder(final LoggerContext context, final Format format)
    {
        if (format == Format.JSON)
        {
            final JsonLogLayout layout = new JsonLogLayout();
            layout.setContext(context);
            layout.start();
            final LayoutWrappingEncoder<ILoggingEvent> json = new LayoutWrappingEncoder<>();
            json.setContext(context);
            json.setLayout(layout);
            json.start();
            return json;
        }
        final PatternLayoutEncoder plain = new PatternLayoutEncoder();
        plain.setContext(context);
        plain.setPattern(PATTERN);
        plain.start();
        return plain;
    }

    /** Stderr when {@code file} is null, else {@code file} rolling at {@link #ROLL_BYTES} into FILE.1 ... FILE.N. */
    private static Appender<ILoggingEvent> appender(
        final LoggerContext context, final String name, final String file, final Encoder<ILoggingEvent> encoder)
    {
        if (file == null)
        {
            final ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setContext(context);
            console.setName(name);
            console.setTarget("System.err");
            console.setEncoder(encoder);
            console.start();
            return console;
        }
        final RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
        rolling.setContext(context);
        rolling.setName(name);
        rolling.setFile(file);
        rolling.setEncoder(encoder);
        final FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
        window.setContext(context);
        window.setParent(rolling);
        window.setFileNamePattern(file + ".%i");
        window.setMinIndex(1);
        window.setMaxIndex(KEPT_FILES);
        window.start();
        final SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
        size.setContext(context);
        size.setMaxFileSize(new FileSize(ROLL_BYTES));
        size.start();
        rolling.setRollingPolicy(window);
        rolling.setTriggeringPolicy(size);
        rolling.start();
        if (!rolling.isStarted())
        {
            throw new IllegalArgumentException("cannot write the log file " + file);
        }
        return rolling;
    }
}
