package io.streamnlp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.Engines;
import io.streamnlp.topology.StreamsSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The baseline the batching pipeline must beat: the same engine called once per record inside a plain
 * Kafka Streams {@code mapValues} (no buffer store, no coordinator, batch of one), same broker, same
 * processing guarantee. Writes one JSON event per record (entities + topic) to its output topic.
 */
public final class NaiveTopology implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EnrichmentEngine engine;
    private final KafkaStreams streams;

    public NaiveTopology(EnricherConfig config, String applicationId, String input, String output) {
        this.engine = Engines.open(config);
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .mapValues(this::enrich)
                .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties p = StreamsSettings.from(config);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.POLL_MS_CONFIG, 100L); // no punctuation to honour: Kafka Streams' own default
        this.streams = new KafkaStreams(b.build(), p);
    }

    private byte[] enrich(byte[] value) {
        try {
            JsonNode in = JSON.readTree(value);
            String text = in.path("text").asText();
            Enrichment e = engine.infer(List.of(engine.encode(text))).results().get(0);
            ObjectNode out = JSON.createObjectNode();
            out.put("id", in.path("id").asText());
            if (e.entities() != null) {
                ArrayNode ents = out.putArray("entities");
                for (Entity x : e.entities()) {
                    ents.addObject()
                            .put("text", x.text())
                            .put("label", x.label())
                            .put("start", x.start())
                            .put("end", x.end())
                            .put("score", x.score());
                }
            }
            if (e.topic() != null) {
                out.put("label", e.topic().label()).put("score", e.topic().score());
            }
            return JSON.writeValueAsBytes(out);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public void start(Duration timeout) throws InterruptedException {
        streams.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("naive topology did not reach RUNNING (" + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        engine.close();
    }
}
