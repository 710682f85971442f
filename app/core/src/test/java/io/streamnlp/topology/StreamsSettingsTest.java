package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.EnricherConfig;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Kafka Streams properties built from our configuration, as Kafka Streams itself resolves them. */
class StreamsSettingsTest {

    /** What the producer Kafka Streams builds from these settings gets as max.request.size. */
    private static long producersMaxRequestSize(EnricherConfig c) {
        StreamsConfig streams = new StreamsConfig(StreamsSettings.from(c));
        Object v = streams.getProducerConfigs("check").get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return Long.parseLong(String.valueOf(v));
    }

    private static EnricherConfig with(Map<String, String> kafka) {
        return EnricherConfig.builder().setAll(kafka).build();
    }

    @Test
    void theOutputGuardAndTheProducerReadTheSameMaxRequestSize() {
        for (Map<String, String> given : new Map[] {
            Map.of(),
            Map.of("kafka.max.request.size", "500000"),
            Map.of("kafka.max.request.size", Integer.toString(4 << 20)),
            Map.of("kafka.producer.max.request.size", Integer.toString(4 << 20)),
            Map.of("kafka.max.request.size", Integer.toString(2 << 20), "kafka.producer.max.request.size", "3000000")
        }) {
            EnricherConfig c = with(given);
            long producer = producersMaxRequestSize(c);
            assertEquals(
                    producer,
                    StreamsSettings.producerMaxRequestBytes(c),
                    "the guard trusts what the producer is given, for " + given);
            assertTrue(
                    Settings.from(c).maxEventBytes() <= producer,
                    "no event the guard lets through is refused by the producer, for " + given);
        }
    }
}
