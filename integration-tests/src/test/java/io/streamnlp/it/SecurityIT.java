package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Kafka security settings pass through under kafka.*; their secrets never reach the logs. */
@WithKafka
@ExtendWith(ChildJvm.KillAfterEach.class)
class SecurityIT {
    static final String JAAS_PASSWORD = "jaas-S3cr3t-9f2c";
    static final String TRUST_PASSWORD = "trust-S3cr3t-77aa";
    /** Kafka logs the client configurations at INFO: a logback configuration with everything from INFO. */
    static final List<String> INFO_LOGS = List.of("-Dlogback.configurationFile=" + infoLogConfig());

    static TestBroker kafka;

    @TempDir
    static Path tmp;

    private static String infoLogConfig() {
        try {
            return Path.of(SecurityIT.class.getResource("/logback-info.xml").toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String jaas() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"app\" password=\""
                + JAAS_PASSWORD + "\";";
    }

    static void assertNoSecret(String log) {
        assertFalse(log.contains(JAAS_PASSWORD), "the JAAS password leaked:\n" + log);
        assertFalse(log.contains(TRUST_PASSWORD), "the truststore password leaked:\n" + log);
    }

    @Test
    void secretsInKafkaSettingsNeverReachTheLogsOfARunningProcessor(TestNames names) throws Exception {
        // PLAINTEXT broker: the SASL settings are carried to every client (and logged, masked) but not needed to
        // connect
        ProcessHarness.App app = new ProcessHarness.App(
                kafka,
                names,
                tmp,
                1,
                Map.of("kafka.sasl.mechanism", "PLAIN", "kafka.ssl.truststore.password", TRUST_PASSWORD));
        // the JAAS config (with its password) comes from the environment, as in a container
        ChildJvm p = app.start("sec", Map.of(), INFO_LOGS, Map.of("STREAMNLP_KAFKA_SASL_JAAS_CONFIG", jaas()));
        assertTrue(p.awaitRunning(Duration.ofSeconds(90)), p.tail());
        p.terminate();
        assertEquals(0, p.await(Duration.ofSeconds(60)), p.tail());
        String log = p.output();
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "the Kafka client configs were logged (masked)");
        assertTrue(log.contains("ssl.truststore.password = [hidden]"));
        assertNoSecret(log);
    }

    @Test
    void secretsNeverReachTheLogsOfAFailedSaslStartOrPrintConfig(TestNames names) throws Exception {
        ProcessHarness.App app = new ProcessHarness.App(
                kafka,
                names,
                tmp,
                1,
                Map.of(
                        "kafka.security.protocol",
                        "SASL_PLAINTEXT",
                        "kafka.sasl.mechanism",
                        "PLAIN",
                        "kafka.sasl.jaas.config",
                        jaas(),
                        "kafka.ssl.truststore.password",
                        TRUST_PASSWORD,
                        "startup.timeout.ms",
                        "4000"));
        ChildJvm p = app.start("sasl", Map.of(), INFO_LOGS, Map.of());
        int code = p.await(Duration.ofSeconds(60));
        String log = p.output();
        assertEquals(1, code, log);
        assertTrue(log.contains("error: cannot reach the Kafka cluster"), log);
        assertNoSecret(log);

        ChildJvm print = ProcessHarness.process(
                INFO_LOGS,
                List.of(
                        "run",
                        "--print-config",
                        "--config",
                        app.dir.resolve("sasl.properties").toString()),
                app.dir.resolve("print.log"),
                Map.of());
        assertEquals(0, print.await(Duration.ofSeconds(60)), print.tail());
        String printed = print.output();
        assertTrue(printed.contains("kafka.sasl.jaas.config=********"), printed);
        assertTrue(printed.contains("kafka.ssl.truststore.password=********"), printed);
        assertTrue(printed.contains("kafka.sasl.mechanism=PLAIN"), "non-secrets shown as they are");
        assertNoSecret(printed);
    }
}
