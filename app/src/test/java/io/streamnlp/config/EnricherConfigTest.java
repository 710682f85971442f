package io.streamnlp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnricherConfigTest {

    @Test
    void precedenceIsDefaultsFileEnvThenOverrides(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "topic.input=from-file\nbatch.max.records=8\nbatch.max.wait.ms=20\n");
        EnricherConfig c = EnricherConfig.builder().file(f)
                .env(Map.of("STREAMNLP_BATCH_MAX_RECORDS", "16", "STREAMNLP_BATCH_MAX_WAIT_MS", "30", "PATH", "/bin"))
                .set("batch.max.wait.ms", "40")
                .build();
        assertEquals("from-file", c.get("topic.input"));
        assertEquals(16, c.getInt("batch.max.records"));
        assertEquals(40, c.getInt("batch.max.wait.ms"));
        assertEquals("text.entities", c.get("topic.entities"));
    }

    @Test
    void unknownKeysFailWithASuggestion(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "batch.max.record=8\n");
        ConfigException e = assertThrows(ConfigException.class, () -> EnricherConfig.builder().file(f));
        assertTrue(e.getMessage().contains("batch.max.record"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'batch.max.records'"), e.getMessage());
        assertThrows(ConfigException.class, () -> EnricherConfig.builder().env(Map.of("STREAMNLP_NOPE", "1")));
    }

    @Test
    void kafkaSettingsPassThroughAndSecretsAreMasked() {
        EnricherConfig c = EnricherConfig.builder()
                .env(Map.of("STREAMNLP_KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";"))
                .set("kafka.security.protocol", "SASL_SSL")
                .set("kafka.ssl.truststore.password", "changeit")
                .build();
        assertEquals("SASL_SSL", c.kafkaOverrides().get("security.protocol"));
        assertEquals("x required password=\"hunter2\";", c.kafkaOverrides().get("sasl.jaas.config"));
        assertEquals("********", c.masked().get("kafka.sasl.jaas.config"));
        assertEquals("********", c.masked().get("kafka.ssl.truststore.password"));
        assertEquals("SASL_SSL", c.masked().get("kafka.security.protocol"));
        assertTrue(c.masked().values().stream().noneMatch(v -> v.contains("hunter2")));
    }

    @Test
    void typedGettersNameTheKey() {
        EnricherConfig c = EnricherConfig.builder().set("batch.max.records", "many").set("ner.enabled", "yes").build();
        assertTrue(assertThrows(ConfigException.class, () -> c.getInt("batch.max.records")).getMessage().contains("batch.max.records"));
        assertTrue(assertThrows(ConfigException.class, () -> c.getBoolean("ner.enabled")).getMessage().contains("ner.enabled"));
    }

    /** config/streamnlp.properties documents every key with its default: keep the file and the code in step. */
    @Test
    void shippedConfigFileListsEveryKeyWithItsDefault() throws IOException {
        Path file = Path.of("..", "config", "streamnlp.properties");
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertEquals(ConfigKeys.DEFINITIONS.keySet(), p.stringPropertyNames());
        ConfigKeys.DEFINITIONS.forEach((k, d) -> assertEquals(d[0], p.getProperty(k), k));
        EnricherConfig.builder().file(file).build();
    }
}
