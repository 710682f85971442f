package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.Topics;
import io.streamnlp.eval.ChunkScorer;
import io.streamnlp.eval.ClassificationScorer;
import io.streamnlp.eval.ConllDocument;
import io.streamnlp.eval.DocumentSpans;
import io.streamnlp.eval.EvalRunner;
import io.streamnlp.eval.LabeledTexts;
import io.streamnlp.fixtures.SharedData;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped default bundle through the whole streaming path, on slices of the dev splits: a
 * regression in tokenization, alignment, batching or decoding drops these scores under their floors.
 * Floors sit a few points under what these slices score (92.6 F1 and 92.0 % on the first bundle), so noise passes and a real regression fails.
 * The document slice publishes whole {@code -DOCSTART-} documents as users do (long ones are windowed) and their
 * sentences. Its F1 floor sits a few points under what the shipped bundle scores there (91.1 F1 per document,
 * 92.8 per sentence, 94.4 % consistency with bundle.json "windowing": "sentence"); a retrained bundle should only
 * score higher. The consistency floor is lower on purpose: a model that uses document context is meant to differ
 * from the sentence alone where context helps (the shipped bundle with context windows: 78.8 % on all of
 * eng.testa), while windowing bugs (entities cut, duplicated or shifted where windows meet) drive it far lower.
 */
@WithKafka
class DefaultModelEvalIT {
    static final int NER_SENTENCES = 400;
    static final int TOPIC_ROWS = 200;
    static final double NER_F1_FLOOR = 88.0;
    static final double TOPIC_ACCURACY_FLOOR = 87.0;
    static final int NER_DOCUMENTS = 40;
    static final double DOC_F1_FLOOR = 88.0;
    static final double DOC_CONSISTENCY_FLOOR = 75.0;

    static Pipeline pipeline;
    static EvalRunner runner;
    static Topics topics;

    @BeforeAll
    static void start(TestBroker kafka, TestNames names) throws Exception {
        SharedData.require("datasets/conll2003/eng.testa");
        // the default models (no bundle); on a slow CPU the start-up batch check warns, as eval's does
        pipeline = new Pipeline(kafka, names, null, 4, Map.of(ConfigKeys.STARTUP_BATCH_CHECK, "warn")).start();
        topics = pipeline.topics;
        runner = new EvalRunner(
                kafka.bootstrapServers(), pipeline.config.kafkaOverrides(), topics, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void conllDevSliceEntityF1StaysAboveItsFloor() throws Exception {
        List<ConllDocument.Sentence> sentences = ConllDocument.read(SharedData.require("datasets/conll2003/eng.testa"))
                .subList(0, NER_SENTENCES);
        EvalRunner.Collected got =
                runner.run(sentences.stream().map(ConllDocument.Sentence::text).toList(), topics.entities(), null);
        assertEquals(0, got.missing(), "every sentence came back");
        assertEquals(0, got.deadLettered());
        ChunkScorer s = EvalRunner.scoreNer(sentences, got);
        System.out.println(s.report());
        assertTrue(s.f1() >= NER_F1_FLOOR, "entity F1 " + s.f1() + " under the floor " + NER_F1_FLOOR);
    }

    @Test
    void conllDevDocumentsEntityF1AndConsistencyStayAboveTheirFloors() throws Exception {
        List<ConllDocument.Document> docs = ConllDocument.readDocuments(
                        SharedData.require("datasets/conll2003/eng.testa"))
                .subList(0, NER_DOCUMENTS);
        List<ConllDocument.Sentence> sentences =
                docs.stream().flatMap(d -> d.sentences().stream()).toList();
        EvalRunner.Collected alone =
                runner.run(sentences.stream().map(ConllDocument.Sentence::text).toList(), topics.entities(), null);
        EvalRunner.Collected whole =
                runner.run(docs.stream().map(ConllDocument.Document::text).toList(), topics.entities(), null);
        assertEquals(0, alone.missing() + whole.missing(), "every sentence and document came back");
        assertEquals(0, alone.deadLettered() + whole.deadLettered());
        ChunkScorer s = EvalRunner.scoreNerDocuments(docs, whole);
        DocumentSpans.Consistency c = EvalRunner.consistency(docs, whole, alone);
        System.out.println(
                "sentence unit: " + EvalRunner.scoreNer(sentences, alone).f1() + " F1; document unit:");
        System.out.println(s.report());
        System.out.print(c.report());
        assertEquals(sentences.size(), c.sentences());
        assertTrue(s.f1() >= DOC_F1_FLOOR, "document entity F1 " + s.f1() + " under the floor " + DOC_F1_FLOOR);
        assertTrue(
                c.percent() >= DOC_CONSISTENCY_FLOOR,
                "consistency " + c.percent() + " under the floor " + DOC_CONSISTENCY_FLOOR);
    }

    @Test
    void agNewsDevSliceAccuracyStaysAboveItsFloor() throws Exception {
        List<LabeledTexts.Row> rows = LabeledTexts.read(SharedData.require("datasets/ag_news/dev.csv"));
        // every fifth row: a slice spread over the whole file
        List<LabeledTexts.Row> slice = java.util.stream.IntStream.range(0, rows.size())
                .filter(i -> i % 5 == 0)
                .mapToObj(rows::get)
                .limit(TOPIC_ROWS)
                .toList();
        EvalRunner.Collected got =
                runner.run(slice.stream().map(LabeledTexts.Row::text).toList(), topics.topics(), null);
        assertEquals(0, got.missing());
        ClassificationScorer s = EvalRunner.scoreTopics(slice, LabeledTexts.AG_NEWS, got);
        System.out.println(s.report());
        assertTrue(
                s.accuracy() >= TOPIC_ACCURACY_FLOOR,
                "accuracy " + s.accuracy() + " under the floor " + TOPIC_ACCURACY_FLOOR);
    }
}
