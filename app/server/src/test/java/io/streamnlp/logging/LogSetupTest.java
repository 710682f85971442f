package io.streamnlp.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One backend, everything routed to it; the noise filter drops exactly its messages. */
class LogSetupTest {
    @AfterEach
    void reset() {
        LogSetup.reset();
    }

    @Test
    void logbackIsTheBackendAndLog4jApiAndJulArriveThere() throws Exception {
        LogSetup.apply(LogSetup.Verbosity.NORMAL, LogSetup.Format.TEXT);
        assertTrue(
                LoggerFactory.getILoggerFactory() instanceof LoggerContext,
                LoggerFactory.getILoggerFactory().getClass().getName());
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        root.addAppender(seen);
        try {
            // ONNX Runtime's Java API: java.util.logging
            java.util.logging.Logger.getLogger("ai.onnxruntime.OnnxRuntime").warning("from jul");
            java.util.logging.Logger.getLogger("ai.onnxruntime.OnnxRuntime").fine("below the level");
            // the embedded broker (kafka-server): the log4j 2 API, at runtime scope here, hence by reflection
            Object log4j = Class.forName("org.apache.logging.log4j.LogManager")
                    .getMethod("getLogger", String.class)
                    .invoke(null, "org.apache.kafka.server.Some");
            log4j.getClass().getMethod("warn", String.class).invoke(log4j, "from log4j-api");
            List<String> got = seen.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                    .toList();
            assertEquals(
                    List.of(
                            "WARN ai.onnxruntime.OnnxRuntime from jul",
                            "WARN org.apache.kafka.server.Some from log4j-api"),
                    got);
        } finally {
            root.detachAppender(seen);
        }
    }

    private static FilterReply decide(Level level, String logger, String message) {
        LoggerContext ctx = new LoggerContext();
        LoggingEvent e =
                new LoggingEvent(LogSetupTest.class.getName(), ctx.getLogger(logger), level, message, null, null);
        KnownNoise f = new KnownNoise();
        f.start();
        return f.decide(e);
    }

    @Test
    void knownNoiseDropsItsMessagesOnlyAndNeverAnError() {
        String sender = "org.apache.kafka.clients.producer.internals.Sender";
        assertEquals(
                FilterReply.DENY,
                decide(
                        Level.WARN,
                        sender,
                        "[Producer clientId=x] Got error produce response with correlation id 30 on "
                                + "topic-partition text.topics-0, retrying (2147483646 attempts left). Error: CONCURRENT_TRANSACTIONS"));
        assertEquals(
                FilterReply.NEUTRAL,
                decide(
                        Level.WARN,
                        sender,
                        "[Producer clientId=x] Got error produce response with correlation id 30 on "
                                + "topic-partition text.topics-0, retrying (2147483646 attempts left). Error: NOT_LEADER_OR_FOLLOWER"));
        assertEquals(FilterReply.NEUTRAL, decide(Level.ERROR, sender, "Error: CONCURRENT_TRANSACTIONS"));
        assertEquals(
                FilterReply.DENY,
                decide(
                        Level.WARN,
                        "ai.djl.util.cuda.CudaUtils",
                        "Failed to detect GPU count: CUDA driver version is insufficient"));
        String autoCreate = "kafka.server.DefaultAutoTopicCreationManager";
        assertEquals(
                FilterReply.DENY,
                decide(
                        Level.WARN,
                        autoCreate,
                        "Auto topic creation failed for __transaction_state with error "
                                + "'TOPIC_ALREADY_EXISTS': Topic '__transaction_state' already exists."));
        assertEquals(
                FilterReply.NEUTRAL,
                decide(
                        Level.WARN,
                        autoCreate,
                        "Auto topic creation failed for __transaction_state with error "
                                + "'INVALID_REPLICATION_FACTOR'"));
        String network = "org.apache.kafka.clients.NetworkClient";
        assertEquals(
                FilterReply.DENY,
                decide(
                        Level.WARN,
                        network,
                        "[NodeToControllerChannelManager id=0 name=registration] Attempting to close NetworkClient that has already been closed."));
        assertEquals(
                FilterReply.NEUTRAL,
                decide(
                        Level.WARN,
                        network,
                        "[AdminClient clientId=a] Connection to node -1 (localhost/127.0.0.1:1) could not be established. Node may not be available."));
        String stateDir = "org.apache.kafka.streams.processor.internals.StateDirectory";
        String tempWarning =
                "Using an OS temp directory in the state.dir property can cause failures with writing the checkpoint file due to "
                        + "the fact that this directory can be cleared by the OS. Resolved state.dir: [";
        Path throwaway = Path.of(System.getProperty("java.io.tmpdir"), "streamnlp-test-throwaway-1234");
        KnownNoise.temporaryStateDir(throwaway);
        assertEquals(FilterReply.DENY, decide(Level.WARN, stateDir, tempWarning + throwaway + "]"));
        assertEquals(
                FilterReply.NEUTRAL,
                decide(
                        Level.WARN,
                        stateDir,
                        tempWarning + Path.of(System.getProperty("java.io.tmpdir"), "streamnlp-state") + "]"),
                "run's state.dir under the temp folder still warns");
        assertEquals(
                FilterReply.NEUTRAL, decide(Level.WARN, "org.apache.kafka.streams.StreamsConfig", "anything else"));
    }
}
