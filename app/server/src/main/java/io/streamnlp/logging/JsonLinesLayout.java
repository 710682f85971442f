package io.streamnlp.logging;

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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One JSON object per line, for log shippers: {@code time} (ISO-8601 UTC), {@code level}, {@code logger} (the full
 * name), {@code thread}, {@code message} and, when the event carries one, {@code exception} (class, message and stack
 * trace as Java prints them). Newlines inside values are escaped, so every event is exactly one line.
 */
public final class JsonLinesLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    /** Always milliseconds (Instant.toString drops a zero fraction): one width, sortable as text. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    @Override
    public String doLayout(ILoggingEvent e) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", TIME.format(Instant.ofEpochMilli(e.getTimeStamp())));
            g.writeStringField("level", e.getLevel().toString());
            g.writeStringField("logger", e.getLoggerName());
            g.writeStringField("thread", e.getThreadName());
            g.writeStringField("message", e.getFormattedMessage());
            IThrowableProxy t = e.getThrowableProxy();
            if (t != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(t));
            }
            g.writeEndObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return w.append('\n').toString();
    }
}
