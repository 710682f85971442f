package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability: Kafka's own console producer and consumer (separate JVMs, as a user would run
 * them) talk to the processor. The consumer reads with read_committed, as the README tells users to.
 */
@WithKafka
class ConsoleClientsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestBroker kafka;

    @TempDir
    static Path tmp;

    static final Path BUNDLE = ItBundles.lexiconBundle();

    @Test
    void consoleProducerInConsoleConsumerOutReadCommitted(TestNames names) throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 2, Map.of())) {
            p.start();
            Path lines = tmp.resolve("input.jsonl");
            Files.write(
                    lines,
                    List.of(
                            "k1|{\"id\":\"d1\",\"text\":\"Angela Merkel arrived in Paris.\"}",
                            "k2|{\"id\":\"d2\",\"text\":\"Acme released new software.\"}",
                            "k3|{\"id\":\"d3\",\"text\":\"Nothing to see here.\"}"));
            ChildJvm producer = ChildJvm.start(
                    "org.apache.kafka.tools.ConsoleProducer",
                    Map.of(),
                    lines,
                    "--bootstrap-server",
                    kafka.bootstrapServers(),
                    "--topic",
                    p.topics.input(),
                    "--reader-property",
                    "parse.key=true",
                    "--reader-property",
                    "key.separator=|");
            assertEquals(0, producer.waitFor(60), producer.stderr());

            ChildJvm consumer = ChildJvm.start(
                    "org.apache.kafka.tools.consumer.ConsoleConsumer",
                    Map.of(),
                    null,
                    "--bootstrap-server",
                    kafka.bootstrapServers(),
                    "--topic",
                    p.topics.entities(),
                    "--from-beginning",
                    "--isolation-level",
                    "read_committed",
                    "--max-messages",
                    "3",
                    "--timeout-ms",
                    "60000",
                    "--formatter-property",
                    "print.key=true",
                    "--formatter-property",
                    "key.separator=|");
            assertEquals(0, consumer.waitFor(90), consumer.stderr());

            Map<String, JsonNode> byKey = new HashMap<>();
            for (String line : consumer.stdout().split("\n")) {
                if (line.isBlank()) continue;
                int sep = line.indexOf('|');
                byKey.put(line.substring(0, sep), JSON.readTree(line.substring(sep + 1)));
            }
            assertEquals(3, byKey.size(), consumer.stdout());
            JsonNode d1 = byKey.get("k1");
            assertEquals("d1", d1.path("id").asText());
            assertEquals(2, d1.path("entities").size(), d1.toString());
            assertEntity(d1.path("entities").get(0), "Angela Merkel", "PER", 0, 13);
            assertEntity(d1.path("entities").get(1), "Paris", "LOC", 25, 30);
            JsonNode d2 = byKey.get("k2");
            assertEquals(1, d2.path("entities").size(), d2.toString());
            assertEntity(d2.path("entities").get(0), "Acme", "ORG", 0, 4);
            assertEquals(0, byKey.get("k3").path("entities").size(), "an event even without entities");
            assertTrue(d1.path("model").asText().startsWith("lexicon@"), d1.toString());
        }
    }

    private static void assertEntity(JsonNode e, String text, String label, int start, int end) {
        assertEquals(text, e.path("text").asText(), e.toString());
        assertEquals(label, e.path("label").asText(), e.toString());
        assertEquals(start, e.path("start").asInt(), e.toString());
        assertEquals(end, e.path("end").asInt(), e.toString());
    }
}
