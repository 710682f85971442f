package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.Enricher;
import io.streamnlp.EnrichmentStreams;
import io.streamnlp.StreamNlp;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * The library inside a user's own Kafka Streams application, on a real broker, exactly-once: the user's filter
 * upstream, the enrichment, the user's own wrapping of each entity event downstream, to topics of its own.
 */
@WithKafka
class EmbeddedLibraryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestBroker kafka;
    static final Path BUNDLE = ItBundles.lexiconBundle();

    @Test
    void aUserTopologyWithTheEnrichmentInsideGetsEveryKeptRecordEnrichedOnceAndTheBadOneDeadLettered(TestNames names)
            throws Exception {
        String texts = names.next("texts");
        String wrapped = names.next("wrapped-entities");
        String topics = names.next("topics");
        String dlq = names.next("texts-dlq");
        kafka.admin()
                .createTopics(Stream.of(texts, wrapped, topics, dlq)
                        .map(n -> new NewTopic(n, 2, (short) 1))
                        .toList())
                .all()
                .get();

        EnricherConfig config = EnricherConfig.builder()
                .set(ConfigKeys.NER_MODEL, BUNDLE.toString())
                .set(ConfigKeys.TOPIC_MODEL, BUNDLE.toString())
                .set(ConfigKeys.INFERENCE_DEVICE, "cpu")
                .build();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, names.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Pipeline.newStateDir().toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);

        List<String> expected = new ArrayList<>();
        try (Enricher enricher = StreamNlp.enrichment(config)) {
            props.putAll(enricher.streamsConfig());
            StreamsBuilder builder = new StreamsBuilder();
            KStream<byte[], byte[]> kept = builder.stream(texts, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .filter((key, value) -> key == null || !new String(key, StandardCharsets.UTF_8).startsWith("skip"));
            EnrichmentStreams out = enricher.addTo(builder, kept);
            Produced<byte[], byte[]> bytes = Produced.with(Serdes.ByteArray(), Serdes.ByteArray());
            out.entities().mapValues(EmbeddedLibraryIT::wrap).to(wrapped, bytes);
            out.topics().to(topics, bytes);
            out.deadLetters().to(dlq, bytes);

            // opened after the enricher, so closed before it: the stream threads stop before the engine closes
            try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
                    KafkaProducer<byte[], byte[]> producer =
                            ProcessHarness.producer(kafka.bootstrapServers(), Map.of());
                    EventCollector collector =
                            new EventCollector(kafka.bootstrapServers(), Map.of(), List.of(wrapped, topics, dlq))) {
                streams.start();
                for (int i = 0; i < 40; i++) {
                    String key = i % 5 == 0 ? "skip-" + i : "k" + i;
                    String value = i == 7
                            ? "{\"text\": "
                            : "{\"id\":\"r" + i + "\",\"text\":\"Angela Merkel won the election in Paris " + i + "\"}";
                    if (i % 5 != 0 && i != 7) {
                        expected.add("r" + i);
                    }
                    producer.send(new ProducerRecord<>(texts, bytes(key), bytes(value)));
                }
                producer.flush();

                assertTrue(
                        collector.collectUntil(
                                rs -> EventCollector.count(rs, wrapped) >= expected.size()
                                        && EventCollector.count(rs, topics) >= expected.size()
                                        && EventCollector.count(rs, dlq) >= 1,
                                Duration.ofSeconds(120)),
                        "every kept record's events arrive: "
                                + collector.records().size());
                collector.drainFor(Duration.ofSeconds(2)); // what arrives now would be a duplicate

                List<JsonNode> entityEvents = collector.records(wrapped).stream()
                        .map(EventCollector::json)
                        .toList();
                assertEquals(
                        sorted(expected),
                        sorted(entityEvents.stream()
                                .map(n -> n.path("event").path("id").asText())
                                .toList()),
                        "each kept record's entity event once; the filtered ones never");
                for (JsonNode n : entityEvents) {
                    assertEquals("embedded", n.path("wrappedBy").asText(), "the user's own downstream step ran: " + n);
                    JsonNode entities = n.path("event").path("entities");
                    assertEquals("PER", entities.get(0).path("label").asText(), n.toString());
                    assertEquals("Angela Merkel", entities.get(0).path("text").asText(), n.toString());
                    assertEquals("LOC", entities.get(1).path("label").asText(), n.toString());
                }
                List<JsonNode> topicEvents = collector.records(topics).stream()
                        .map(EventCollector::json)
                        .toList();
                assertEquals(
                        sorted(expected),
                        sorted(topicEvents.stream()
                                .map(n -> n.path("id").asText())
                                .toList()));
                assertTrue(
                        topicEvents.stream()
                                .allMatch(n -> n.path("label").asText().equals("World")),
                        topicEvents.toString());

                List<ConsumerRecord<byte[], byte[]>> dead = collector.records(dlq);
                assertEquals(1, dead.size(), "only the bad record is dead-lettered");
                assertEquals("k7", new String(dead.get(0).key(), StandardCharsets.UTF_8));
                assertEquals(RejectReason.INVALID_JSON.name(), ProcessHarness.header(dead.get(0), DeadLetters.ERROR));
                assertEquals(texts, ProcessHarness.header(dead.get(0), DeadLetters.SOURCE_TOPIC));
                assertEquals(
                        "{\"text\": ", new String(dead.get(0).value(), StandardCharsets.UTF_8), "its value unchanged");
            }
        }
    }

    /** The user's downstream step: each entity event inside an envelope of its own. */
    private static byte[] wrap(byte[] event) {
        try {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.put("wrappedBy", "embedded");
            envelope.set("event", JSON.readTree(event));
            return JSON.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> sorted(List<String> xs) {
        return xs.stream().sorted().toList();
    }
}
