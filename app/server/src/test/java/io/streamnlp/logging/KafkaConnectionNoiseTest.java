package io.streamnlp.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Kafka clients' reconnect warnings: one line of ours per outage, none from the start-up check. */
class KafkaConnectionNoiseTest {
    private final AtomicLong now = new AtomicLong();
    private final LoggerContext ctx = new LoggerContext();
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();
    private final KafkaConnectionNoise noise = new KafkaConnectionNoise(now::get);
    private final Logger networkClient = ctx.getLogger(KafkaConnectionNoise.LOGGER);

    KafkaConnectionNoiseTest() {
        seen.setContext(ctx);
        seen.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
        noise.setContext(ctx);
        noise.start();
        ctx.addTurboFilter(noise);
    }

    /** As Kafka's NetworkClient says it (its LogContext puts the client in front of the format). */
    private void cannotConnect(String client) {
        networkClient.warn(
                "[" + client + "] Connection to node {} ({}) could not be established. Node may not be available.",
                1,
                "kafka/172.18.0.2:19092");
    }

    private List<String> lines() {
        return seen.list.stream()
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                .toList();
    }

    @Test
    void anOutageIsOneLineAndTheNextOutageAnother() {
        for (int i = 0; i < 31; i++) { // a 6 s broker restart, as measured with compose
            cannotConnect("Producer clientId=app-StreamThread-1-producer");
            cannotConnect("Consumer clientId=app-StreamThread-1-consumer, groupId=app");
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        }
        assertEquals(
                List.of("WARN io.streamnlp.KafkaConnection the Kafka cluster does not answer at kafka/172.18.0.2:19092;"
                        + " its clients keep retrying (their further connection warnings are dropped until none has"
                        + " come for 30 s; --verbose shows them)"),
                lines());
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        cannotConnect("Consumer clientId=app-StreamThread-1-consumer, groupId=app");
        assertEquals(1, lines().size(), "still the same outage:\n" + lines());
        now.addAndGet(TimeUnit.SECONDS.toNanos(31));
        cannotConnect("Consumer clientId=app-StreamThread-1-consumer, groupId=app");
        assertEquals(2, lines().size(), "a new outage, a new line:\n" + lines());
    }

    @Test
    void theStartupCheckIsSilentAndOtherWarningsPass() {
        cannotConnect("AdminClient clientId=" + KafkaConnectionNoise.startupCheckClientId());
        assertEquals(List.of(), lines(), "the check reports its own one error");
        networkClient.warn("[Consumer clientId=c] Cancelled in-flight FETCH request with correlation id 7");
        ctx.getLogger("org.apache.kafka.clients.producer.internals.Sender")
                .warn(
                        "Connection to node 1 (kafka/172.18.0.2:19092) could not be established. Node may not be available.");
        assertEquals(2, lines().size(), "other messages and loggers pass as they are:\n" + lines());
        noise.enabled(false); // --verbose
        cannotConnect("Consumer clientId=c");
        cannotConnect("Consumer clientId=c");
        assertEquals(4, lines().size(), lines().toString());
    }
}
