package io.streamnlp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.config.Topics;
import io.streamnlp.local.EventCollector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streaming evaluation: publishes labelled texts to the input topic of a running pipeline, reads the
 * enriched events back with a read_committed consumer and scores them, so the figures cover the whole
 * path (parsing, tokenization, batching, inference, decoding, offsets) rather than a side script.
 */
public final class EvalRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told as events come back. */
    public interface Progress {
        void update(int done, int total);
    }

    /** What came back, by record index; a record absent here was dead-lettered or never arrived. */
    /**
     * @param warmRecordsPerSecond records/s over the warm part of the run: from the arrival of the first 10 % of the
     *                             records to the last one (start-up, JIT and the first batches left out); 0 when too
     *                             few came back to tell
     */
    public record Collected(
            Map<Integer, JsonNode> events, int deadLettered, int missing, double seconds, double warmRecordsPerSecond) {
        public Collected(Map<Integer, JsonNode> events, int deadLettered, int missing, double seconds) {
            this(events, deadLettered, missing, seconds, 0);
        }

        public double recordsPerSecond(int total) {
            return seconds <= 0 ? 0 : total / seconds;
        }
    }

    private final String bootstrap;
    private final Map<String, String> clientOverrides;
    private final Topics topics;
    private final Duration idleTimeout;

    public EvalRunner(String bootstrap, Map<String, String> clientOverrides, Topics topics, Duration idleTimeout) {
        this.bootstrap = bootstrap;
        this.clientOverrides = clientOverrides;
        this.topics = topics;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Publishes {@code texts} and collects one event per text from {@code outputTopic}. Ids carry a
     * run prefix so a shared cluster's other traffic is ignored.
     */
    public Collected run(List<String> texts, String outputTopic, Progress progress) {
        String run = "eval-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        long t0 = System.nanoTime();
        try (EventCollector collector =
                new EventCollector(bootstrap, clientOverrides, List.of(outputTopic, topics.dlq()), true)) {
            publish(run, texts);
            Map<Integer, JsonNode> events = new HashMap<>();
            int dead = 0;
            long lastProgress = System.nanoTime();
            int warmFrom = Math.max(1, texts.size() / 10);
            long warmStart = 0;
            long lastArrival = 0;
            while (events.size() + dead < texts.size()) {
                List<ConsumerRecord<byte[], byte[]>> got = collector.pollOnce(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : got) {
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (!key.startsWith(run)) {
                        continue;
                    }
                    int index = Integer.parseInt(key.substring(run.length()));
                    if (r.topic().equals(topics.dlq())) {
                        dead++;
                    } else {
                        events.put(index, EventCollector.json(r));
                    }
                    lastProgress = System.nanoTime();
                    lastArrival = lastProgress;
                    if (warmStart == 0 && events.size() + dead >= warmFrom) {
                        warmStart = lastProgress;
                    }
                }
                if (!got.isEmpty() && progress != null) {
                    progress.update(events.size() + dead, texts.size());
                }
                if (System.nanoTime() - lastProgress > idleTimeout.toNanos()) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int warm = events.size() + dead - warmFrom;
            double warmRate = warmStart == 0 || lastArrival <= warmStart || warm < 10
                    ? 0
                    : warm / ((lastArrival - warmStart) / 1e9);
            return new Collected(events, dead, texts.size() - events.size() - dead, seconds, warmRate);
        }
    }

    private void publish(String run, List<String> texts) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.putAll(clientOverrides);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < texts.size(); i++) {
                ObjectNode o = JSON.createObjectNode();
                o.put("id", run + i);
                o.put("text", texts.get(i));
                producer.send(new ProducerRecord<>(
                        topics.input(),
                        (run + i).getBytes(StandardCharsets.UTF_8),
                        o.toString().getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Scores CoNLL sentences from the entity events that came back (a missing event counts as no entities). */
    public static ChunkScorer scoreNer(List<ConllDocument.Sentence> sentences, Collected c) {
        ChunkScorer scorer = new ChunkScorer();
        for (int i = 0; i < sentences.size(); i++) {
            JsonNode ev = c.events().get(i);
            ConllDocument.Sentence s = sentences.get(i);
            List<String> predicted = ev == null
                    ? new ArrayList<>(Collections.nCopies(s.tokens().size(), "O"))
                    : SpanTagger.tags(s, ev.path("entities"));
            scorer.add(s.gold(), predicted);
        }
        return scorer;
    }

    /**
     * Scores documents sentence by sentence (each document event's entities cut back into its sentences,
     * see {@link DocumentSpans#perSentence}), so the summary and table compare one for one with
     * {@link #scoreNer} on the same sentences. A missing event counts as no entities.
     */
    public static ChunkScorer scoreNerDocuments(List<ConllDocument.Document> documents, Collected c) {
        ChunkScorer scorer = new ChunkScorer();
        for (int d = 0; d < documents.size(); d++) {
            ConllDocument.Document doc = documents.get(d);
            JsonNode ev = c.events().get(d);
            List<List<SpanTagger.Span>> parts =
                    DocumentSpans.perSentence(doc, ev == null ? List.of() : SpanTagger.spans(ev.path("entities")));
            for (int i = 0; i < doc.sentences().size(); i++) {
                ConllDocument.Sentence s = doc.sentences().get(i);
                scorer.add(s.gold(), SpanTagger.tags(s, parts.get(i)));
            }
        }
        return scorer;
    }

    /**
     * For every sentence of {@code documents}: are the entities found inside its document (shifted to the
     * sentence) those found for the sentence alone? {@code sentences} holds the sentence unit's events,
     * indexed by sentence in file order (the documents' sentences flattened).
     */
    public static DocumentSpans.Consistency consistency(
            List<ConllDocument.Document> documents, Collected documentEvents, Collected sentenceEvents) {
        DocumentSpans.ConsistencyCounter counter = new DocumentSpans.ConsistencyCounter();
        int flat = 0;
        for (int d = 0; d < documents.size(); d++) {
            ConllDocument.Document doc = documents.get(d);
            List<SpanTagger.Span> docSpans =
                    DocumentSpans.spansOf(documentEvents.events().get(d));
            List<List<SpanTagger.Span>> parts = docSpans == null ? null : DocumentSpans.perSentence(doc, docSpans);
            for (int i = 0; i < doc.sentences().size(); i++) {
                counter.add(
                        parts == null ? null : parts.get(i),
                        DocumentSpans.spansOf(sentenceEvents.events().get(flat++)));
            }
        }
        return counter.result();
    }

    /** Scores labelled texts from the topic events that came back (a missing event counts as wrong). */
    public static ClassificationScorer scoreTopics(List<LabeledTexts.Row> rows, List<String> labels, Collected c) {
        ClassificationScorer scorer = new ClassificationScorer(labels);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode ev = c.events().get(i);
            scorer.add(
                    rows.get(i).label(),
                    ev == null ? "(missing)" : ev.path("label").asText());
        }
        return scorer;
    }
}
