package io.streamnlp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies the CLI's logging options to the one backend (logback, whose defaults are in {@code logback.xml}): how
 * much is logged and in which format. Logs go to stderr; stdout is the commands' own output.
 */
public final class LogSetup {
    /** How much to log. */
    public enum Verbosity {
        /** Warnings and errors only. */
        QUIET,
        /** Our own messages from INFO, other libraries' from WARN, known harmless noise dropped (the default). */
        NORMAL,
        /** Our own messages from DEBUG, other libraries' from INFO, nothing dropped. */
        VERBOSE
    }

    /** How each log line looks. */
    public enum Format {
        /** {@code HH:mm:ss.SSS [thread] LEVEL Logger - message} */
        TEXT,
        /** one JSON object per line ({@link JsonLinesLayout}) */
        JSON
    }

    static final String APPENDER = "CONSOLE";
    /** logback's own system property for a configuration file in place of the built-in logback.xml */
    public static final String CUSTOM_CONFIG = "logback.configurationFile";

    private static volatile Format format = Format.TEXT;
    private static Encoder<ILoggingEvent> textEncoder;

    private LogSetup() {}

    /**
     * Sets the levels, the noise filter and the format. Safe to call again (each CLI invocation does). With
     * {@code -Dlogback.configurationFile=FILE} that file is the whole configuration and this changes nothing.
     */
    public static synchronized void apply(Verbosity verbosity, Format fmt) {
        routeJavaUtilLogging();
        if (System.getProperty(CUSTOM_CONFIG) != null) {
            return; // the user's own logback configuration decides everything
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J backend won on this classpath: leave it as it is configured
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger ours = ctx.getLogger("io.streamnlp");
        switch (verbosity) {
            case QUIET -> {
                root.setLevel(Level.WARN);
                ours.setLevel(Level.WARN);
            }
            case NORMAL -> {
                root.setLevel(Level.WARN);
                ours.setLevel(Level.INFO);
            }
            case VERBOSE -> {
                root.setLevel(Level.INFO);
                ours.setLevel(Level.DEBUG);
            }
        }
        for (var tf : ctx.getTurboFilterList()) {
            if (tf instanceof KafkaConnectionNoise noise) {
                noise.enabled(verbosity != Verbosity.VERBOSE);
            }
        }
        if (root.getAppender(APPENDER) instanceof ConsoleAppender<ILoggingEvent> console) {
            for (var f : console.getCopyOfAttachedFiltersList()) {
                if (f instanceof KnownNoise noise) {
                    noise.enabled(verbosity != Verbosity.VERBOSE);
                }
            }
            if (fmt != format) {
                if (textEncoder == null) {
                    textEncoder = console.getEncoder(); // logback.xml's
                }
                swapEncoder(console, fmt == Format.JSON ? jsonEncoder(ctx) : textEncoder);
            }
        }
        format = fmt;
    }

    /** The defaults of logback.xml again (after a command, so in-process callers such as tests start clean). */
    public static void reset() {
        apply(Verbosity.NORMAL, Format.TEXT);
    }

    /** Whether log lines are JSON now (then a command's own error lines on stderr are logged rather than printed). */
    public static boolean json() {
        return format == Format.JSON;
    }

    /** ONNX Runtime's Java API logs with java.util.logging: hand it to SLF4J instead of JUL's own console handler. */
    private static void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    private static void swapEncoder(ConsoleAppender<ILoggingEvent> console, Encoder<ILoggingEvent> encoder) {
        // an appender's encoder may only change while it is stopped
        console.stop();
        console.setEncoder(encoder);
        console.start();
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext ctx) {
        JsonLinesLayout layout = new JsonLinesLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> e = new LayoutWrappingEncoder<>();
        e.setContext(ctx);
        e.setLayout(layout);
        e.setCharset(StandardCharsets.UTF_8);
        e.start();
        return e;
    }
}
