package io.streamnlp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.topology.Settings;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The largest event the processor writes when the output topics' own limits cannot be read. */
class OutputLimitsTest {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(OutputLimits.class);

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private List<ILoggingEvent> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void unreadableTopicLimitsFallBackToTheBrokerDefaultNotToTheProducersSixteenMebibytes() {
        EnricherConfig c = EnricherConfig.builder()
                .set("bootstrap.servers", "localhost:1")
                .set("startup.timeout.ms", "300")
                .build();
        Settings s = OutputLimits.apply(c, Settings.from(c));
        assertEquals(1 << 20, s.maxEventBytes(), "output.max.record.bytes' default: the broker's message.max.bytes");
        assertEquals(1, warnings().size(), "one WARN line says so: " + logged.list);
        assertTrue(warnings().get(0).getFormattedMessage().contains("output.max.record.bytes=1048576"));

        EnricherConfig raised = EnricherConfig.builder()
                .set("bootstrap.servers", "localhost:1")
                .set("startup.timeout.ms", "300")
                .set("output.max.record.bytes", Integer.toString(8 << 20))
                .build();
        assertEquals(8 << 20, OutputLimits.apply(raised, Settings.from(raised)).maxEventBytes());
    }

    @Test
    void aDeniedDescribeConfigsIsOneWarningNamingTheMissingAcl() {
        Settings s = Settings.from(EnricherConfig.defaults());
        Settings used = OutputLimits.whenTopicLimitsUnreadable(
                s,
                List.of("text.entities", "text.topics"),
                new ExecutionException(new TopicAuthorizationException(Set.of("text.entities"))));
        assertEquals(1 << 20, used.maxEventBytes());
        assertEquals(1, warnings().size(), "one WARN line: " + logged.list);
        String line = warnings().get(0).getFormattedMessage();
        assertTrue(
                line.contains("DescribeConfigs") && line.contains("text.entities") && line.contains("text.topics"),
                "names the ACL and the topics: " + line);
        assertTrue(line.contains("output.max.record.bytes=1048576"), line);
    }
}
