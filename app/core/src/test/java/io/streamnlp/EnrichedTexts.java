package io.streamnlp;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.streamnlp.config.EnricherConfig;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/** A Kafka Streams application of its own, with entities and topics added to the texts it reads. */
public final class EnrichedTexts {
    /** streamnlp's settings: here only the model bundle; the rest as in config/streamnlp.properties. */
    static EnricherConfig config(String modelBundle) {
        return EnricherConfig.builder()
                .set("ner.model", modelBundle)
                .set("topic.model", modelBundle)
                .build();
    }

    /** The application's topology: its own filter upstream, the enrichment, its own sinks downstream. */
    static Topology topology(Enricher enricher) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], byte[]> texts = builder.stream("texts", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .filter((key, value) -> key == null || !new String(key, UTF_8).startsWith("skip"));
        EnrichmentStreams out = enricher.addTo(builder, texts);
        Produced<byte[], byte[]> bytes = Produced.with(Serdes.ByteArray(), Serdes.ByteArray());
        out.entities().to("entities", bytes);
        out.topics().to("topics", bytes);
        out.deadLetters().to("texts-dlq", bytes);
        return builder.build();
    }

    public static void main(String[] args) throws InterruptedException {
        Enricher enricher = StreamNlp.enrichment(config(args[0])); // loads the models
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "enriched-texts");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(enricher.streamsConfig()); // poll interval, request size, transaction timeout
        KafkaStreams streams = new KafkaStreams(topology(enricher), props);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(); // first the stream threads,
            enricher.close(); // then the engine they run on
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
    }
}
