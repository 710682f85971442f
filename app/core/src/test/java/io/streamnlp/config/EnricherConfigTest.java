package io.streamnlp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.inference.Engines;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import io.streamnlp.topology.StreamsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnricherConfigTest {

    @Test
    void precedenceIsDefaultsFileEnvThenOverrides(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "topic.input=from-file\nbatch.max.records=8\nbatch.max.wait.ms=20\n");
        EnricherConfig c = EnricherConfig.builder()
                .file(f)
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
        ConfigException e = assertThrows(
                ConfigException.class, () -> EnricherConfig.builder().file(f).build());
        assertTrue(e.getMessage().contains("batch.max.record"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'batch.max.records'"), e.getMessage());
        assertThrows(
                ConfigException.class,
                () -> EnricherConfig.builder()
                        .env(Map.of("STREAMNLP_NOPE", "1"))
                        .build());
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
    void badlyTypedValuesFailNamingTheKey() {
        EnricherConfig.Builder b =
                EnricherConfig.builder().set("batch.max.records", "many").set("ner.enabled", "yes");
        ConfigException e = assertThrows(ConfigException.class, b::build);
        assertEquals(
                List.of("ner.enabled=yes must be true or false", "batch.max.records=many is not an integer"),
                e.problems(),
                "in the documented order");
    }

    /** Every bad value is reported at once, each naming its key, its value and what is allowed: one run shows every fix. */
    @Test
    void threeBadValuesAreReportedInOneException() {
        EnricherConfig.Builder b = EnricherConfig.builder()
                .set("batch.max.wait.ms", "-1")
                .set("inference.device", "tpu")
                .set("input.max.bytes", "lots")
                .set("batch.max.tokens", "8192");
        ConfigException e = assertThrows(ConfigException.class, b::build);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertMentions(
                e,
                "3 configuration problems",
                "input.max.bytes=lots is not an integer",
                "inference.device=tpu must be one of cpu, cuda, auto",
                "batch.max.wait.ms=-1 must be between 0 and 86400000 (a day at most)");
        // unknown keys and cross-key problems join the list; a key bad alone is not also reported by the checks that
        // read it
        e = assertThrows(
                ConfigException.class,
                () -> EnricherConfig.builder()
                        .set("batch.max.recrods", "5")
                        .set("ner.enabled", "false")
                        .set("topic.enabled", "false")
                        .set("topic.dlq", "text.input")
                        .set("topic.entities", "a,b")
                        .build());
        assertEquals(
                List.of(
                        "unknown configuration key 'batch.max.recrods'; did you mean 'batch.max.records'? (Kafka client settings go "
                                + "under 'kafka.', e.g. kafka.security.protocol)",
                        "topic.entities=a,b is not a Kafka topic name (one name of at most 249 characters from a-z, A-Z, 0-9, '.', '_' and '-'; "
                                + "lists and patterns are not supported)",
                        "ner.enabled and topic.enabled are both false: nothing to do"),
                e.problems());
        assertMentions(
                assertThrows(ConfigException.class, () -> with("ner.model", " ")),
                "ner.model is empty: set the model bundle folder");
        assertEquals(
                "",
                EnricherConfig.builder()
                        .set("topic.enabled", "false")
                        .set("topic.model", "")
                        .build()
                        .get("topic.model"),
                "a disabled enricher needs no model");
    }

    /** The getters read values build() has checked; they parse the way the definitions do. */
    @Test
    void typedGettersReadCheckedValues() {
        EnricherConfig c = EnricherConfig.builder()
                .set("ner.enabled", " TRUE ")
                .set("inference.device", "CUDA")
                .set("ner.aggregation", "")
                .set("batch.max.wait.ms", "86400000")
                .build();
        assertTrue(c.getBoolean("ner.enabled"));
        assertEquals("cuda", c.getChoice("inference.device", "cpu", "cuda", "auto"));
        assertEquals(null, c.getOrNull("ner.aggregation"));
        assertEquals(86_400_000L, c.getLong("batch.max.wait.ms"));
        assertThrows(ConfigException.class, () -> c.get("no.such.key"));
    }

    private static ConfigException topicsFail(String... keyValues) {
        EnricherConfig.Builder b = EnricherConfig.builder();
        for (int i = 0; i < keyValues.length; i += 2) {
            b.set(keyValues[i], keyValues[i + 1]);
        }
        return assertThrows(ConfigException.class, () -> Topics.from(b.build()));
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        }
    }

    /** An output topic that is also the input would be read back and re-enriched forever: refuse to start. */
    @Test
    void outputTopicEqualToTheInputFailsNamingBothKeys() {
        assertMentions(
                topicsFail("topic.entities", "text.input"), "topic.entities", "topic.input", "'text.input'", "loop");
        assertMentions(topicsFail("topic.topics", "text.input"), "topic.topics", "topic.input");
        assertMentions(topicsFail("topic.dlq", "text.input"), "topic.dlq", "topic.input");
        assertMentions(
                topicsFail("topic.input", "shared", "topic.entities", "shared", "topic.topics", "shared"),
                "topic.input",
                "topic.entities",
                "topic.topics");
    }

    /** Two kinds of event (or events and dead letters) in one topic cannot be told apart downstream. */
    @Test
    void outputTopicsEqualToEachOtherFailNamingTheKeys() {
        assertMentions(
                topicsFail("topic.entities", "out", "topic.topics", "out"),
                "topic.entities=out",
                "topic.topics=out",
                "told apart");
        assertMentions(topicsFail("topic.topics", "text.dlq"), "topic.topics", "topic.dlq");
        assertMentions(topicsFail("topic.entities", "text.dlq"), "topic.entities", "topic.dlq");
    }

    /** topic.input is one topic name (the topology subscribes to exactly that name): no lists, no patterns. */
    @Test
    void topicNamesMustBeSingleValidKafkaTopicNames() {
        assertMentions(topicsFail("topic.input", "a,b"), "topic.input", "a,b");
        assertMentions(topicsFail("topic.input", "text.*"), "topic.input");
        assertMentions(topicsFail("topic.dlq", ""), "topic.dlq");
        assertMentions(topicsFail("topic.entities", "x".repeat(250)), "topic.entities");
        Topics ok = Topics.from(EnricherConfig.defaults());
        assertEquals(new Topics("text.input", "text.entities", "text.topics", "text.dlq"), ok);
    }

    private static EnricherConfig with(String key, String value) {
        return EnricherConfig.builder().set(key, value).build();
    }

    /** A negative wait would be an IllegalArgumentException deep in BatchPolicy: exit 1 and no key named. */
    @Test
    void negativeBatchTimesFailNamingTheKey() {
        assertMentions(
                assertThrows(ConfigException.class, () -> BatchPolicy.from(with("batch.max.wait.ms", "-1"))),
                "batch.max.wait.ms=-1",
                "between 0 and");
        assertMentions(
                assertThrows(ConfigException.class, () -> BatchPolicy.from(with("batch.idle.ms", "-5"))),
                "batch.idle.ms=-5");
        assertMentions(
                assertThrows(
                        ConfigException.class,
                        () -> BatchPolicy.from(with("batch.max.wait.ms", "9223372036854775807"))),
                "batch.max.wait.ms");
        assertEquals(
                0, BatchPolicy.from(with("batch.max.wait.ms", "0")).maxWait().toMillis());
    }

    /** The engine packs (length, document, window) into one long with 21 bits for the document: a batch holds at most 2^21. */
    @Test
    void batchMaxRecordsAboveWhatTheSequencePackingAllowsFails() {
        assertEquals(1 << 21, OnnxEnrichmentEngine.MAX_BATCH_DOCUMENTS);
        assertEquals(
                OnnxEnrichmentEngine.MAX_BATCH_DOCUMENTS,
                ConfigKeys.MAX_BATCH_RECORDS,
                "the definition's bound is the engine's");
        assertEquals(
                1 << 21,
                BatchPolicy.from(with("batch.max.records", Integer.toString(1 << 21)))
                        .maxRecords());
        assertMentions(
                assertThrows(
                        ConfigException.class,
                        () -> BatchPolicy.from(with("batch.max.records", Integer.toString((1 << 21) + 1)))),
                "batch.max.records=2097153",
                "2097152");
        assertMentions(
                assertThrows(ConfigException.class, () -> BatchPolicy.from(with("batch.max.records", "2147483647"))),
                "batch.max.records");
        assertMentions(
                assertThrows(ConfigException.class, () -> BatchPolicy.from(with("batch.max.records", "-3"))),
                "batch.max.records");
        assertMentions(
                assertThrows(ConfigException.class, () -> BatchPolicy.from(with("batch.max.tokens", "0"))),
                "batch.max.tokens");
    }

    /**
     * rows x max length x (8 bytes an input id, or 4 a NER logit per label) must fit one Java buffer (2 GiB):
     * a larger bucket would overflow an int in the tensor sizes.
     */
    @Test
    void bucketRowsWhoseTensorsOverflowAnIntFail() {
        Engines.checkBucketSize(64, 512, 9);
        // 2^31 / (512 tokens x 9 labels x 4 bytes) = 116,508 rows
        Engines.checkBucketSize(116_508, 512, 9);
        assertMentions(
                assertThrows(ConfigException.class, () -> Engines.checkBucketSize(116_509, 512, 9)),
                "inference.max.bucket.rows=116509",
                "512",
                "116508");
        // without NER the input ids (8 bytes a token) are the largest tensor
        Engines.checkBucketSize(524_287, 512, 0);
        assertMentions(
                assertThrows(ConfigException.class, () -> Engines.checkBucketSize(524_288, 512, 0)),
                "inference.max.bucket.rows");
        assertMentions(
                assertThrows(ConfigException.class, () -> Engines.checkBucketSize(Integer.MAX_VALUE, 8192, 9)),
                "inference.max.bucket.rows=2147483647");
        assertMentions(
                assertThrows(ConfigException.class, () -> Engines.options(with("inference.max.bucket.rows", "0"))),
                "inference.max.bucket.rows");
    }

    /**
     * input.max.bytes near 2 GiB: the events carry the text (2 x input.max.bytes + 1 MiB must fit Kafka's int
     * max.request.size) and the decoded text and its tokens live in Java arrays. Capped at 64 MiB (README).
     */
    @Test
    void inputMaxBytesIsBounded() {
        assertEquals(64 << 20, InputOptions.MAX_INPUT_BYTES);
        assertEquals(
                64 << 20,
                InputOptions.from(with("input.max.bytes", Integer.toString(64 << 20)))
                        .maxBytes());
        for (String bad : List.of(Integer.toString((64 << 20) + 1), "2147483647", "2147483648", "0", "-1")) {
            assertMentions(
                    assertThrows(ConfigException.class, () -> InputOptions.from(with("input.max.bytes", bad))),
                    "input.max.bytes=" + bad);
        }
        // at the cap the producer's max.request.size, an int, is still positive and holds an event with the text twice
        Properties p = StreamsSettings.from(with("input.max.bytes", Integer.toString(64 << 20)));
        int maxRequest = (int) p.get("producer.max.request.size");
        assertTrue(maxRequest >= 2 * (64 << 20), "max.request.size " + maxRequest);
    }

    /**
     * config/streamnlp.properties is generated from the definitions (docs, types, defaults): the shipped file must be
     * exactly what they render. After changing a definition, regenerate it:
     * {@code ./mvnw -o -q test -pl app/core -Dtest=EnricherConfigTest -Dconfig.regenerate=true}.
     */
    @Test
    void shippedConfigFileIsGeneratedFromTheDefinitions() throws IOException {
        Path file = Path.of("..", "..", "config", "streamnlp.properties");
        String expected = ConfigKeys.propertiesFile();
        if (Boolean.getBoolean("config.regenerate")) {
            Files.writeString(file, expected);
        }
        assertEquals(
                expected,
                Files.readString(file),
                file + " differs from ConfigKeys.DEFINITIONS: regenerate it (-Dconfig.regenerate=true)");
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertEquals(ConfigKeys.DEFINITIONS.keySet(), p.stringPropertyNames());
        ConfigKeys.DEFINITIONS.keys().forEach(k -> assertEquals(k.defaultValue(), p.getProperty(k.name()), k.name()));
        EnricherConfig.builder().file(file).build();
    }
}
