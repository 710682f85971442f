package io.streamnlp.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonLinesLayoutTest {
    private final LoggerContext ctx = new LoggerContext();

    private String layout(Level level, String message, Throwable t, Object... args) {
        JsonLinesLayout l = new JsonLinesLayout();
        l.setContext(ctx);
        l.start();
        LoggingEvent e = new LoggingEvent(
                JsonLinesLayoutTest.class.getName(), ctx.getLogger("io.streamnlp.x.Some"), level, message, t, args);
        e.setThreadName("worker \"1\"");
        return l.doLayout(e);
    }

    @Test
    void oneObjectPerLineWithEveryFieldAndTheExceptionWhenThereIsOne() throws Exception {
        String line = layout(
                Level.ERROR,
                "batch {} failed:\nsecond line",
                new IllegalStateException("outer", new RuntimeException("inner")),
                7);
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.lines().count(), "newlines in values are escaped:\n" + line);
        JsonNode e = new ObjectMapper().readTree(line);
        assertEquals("ERROR", e.path("level").asText());
        assertEquals("io.streamnlp.x.Some", e.path("logger").asText());
        assertEquals("worker \"1\"", e.path("thread").asText());
        assertEquals("batch 7 failed:\nsecond line", e.path("message").asText());
        assertTrue(
                e.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                e.path("time").asText());
        String ex = e.path("exception").asText();
        assertTrue(ex.startsWith("java.lang.IllegalStateException: outer"), ex);
        assertTrue(ex.contains("Caused by: java.lang.RuntimeException: inner"), ex);
        assertTrue(ex.contains("\tat io.streamnlp.logging.JsonLinesLayoutTest"), ex);

        JsonNode plain = new ObjectMapper().readTree(layout(Level.INFO, "started", null));
        assertFalse(plain.has("exception"));
        assertEquals(5, plain.size());
    }
}
