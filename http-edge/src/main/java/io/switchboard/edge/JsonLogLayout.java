package io.switchboard.edge;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * {@code --log-format=json}: one JSON object per line, {@code {"time":"2026-12-05T01:02:03.456Z","level":"INFO",
 * "logger":"...","thread":"...","message":"..."}} plus {@code "error"} (the stack trace) when there is one. The message
 * is the formatted text, as the plain format prints it.
 */
final class JsonLogLayout extends LayoutBase<ILoggingEvent>
{
    private final JsonFactory json = new JsonFactory();

    @Override
    public String doLayout(final ILoggingEvent event)
    {
        final StringWriter line = new StringWriter(160);
        try (JsonGenerator out = json.createGenerator(line))
        {
            out.writeStartObject();
            out.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            out.writeStringField("level", event.getLevel().toString());
            out.writeStringField("logger", event.getLoggerName());
            out.writeStringField("thread", event.getThreadName());
            out.writeStringField("message", event.getFormattedMessage());
            final IThrowableProxy error = event.getThrowableProxy();
            if (error != null)
            {
                out.writeStringField("error", ThrowableProxyUtil.asString(error));
            }
            out.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return line.append('\n').toString();
    }
}
