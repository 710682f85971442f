package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.SharedData;
import io.streamnlp.tokenize.EncodedText;
import io.streamnlp.tokenize.WindowingTokenizer;
import io.streamnlp.topology.BatchTimeLimit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchBudgetTest {

    /** Prose-like: one token per 5 bytes; each batch takes at least 1 ms. */
    static final class ProseEngine implements EnrichmentEngine {
        @Override
        public EncodedDocument encode(String text) {
            int tokens = Math.max(3, text.getBytes(StandardCharsets.UTF_8).length / 5);
            return new EncodedDocument() {
                public String text() {
                    return text;
                }

                public int tokenCount() {
                    return tokens;
                }

                public int maxWindowLength() {
                    return Math.min(tokens, 256);
                }
            };
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Enrichment> none = new ArrayList<>();
            documents.forEach(d -> none.add(new Enrichment(List.of(), null)));
            return new BatchResult(none, new BatchStats(documents.size(), documents.size(), 1, 0, 0, 1_000_000));
        }

        public String nerModel() {
            return "prose";
        }

        public String topicModel() {
            return null;
        }

        public void close() {}
    }

    private static BatchBudget.BatchEstimate estimate(String... keyValues) {
        EnricherConfig.Builder b = EnricherConfig.builder();
        for (int i = 0; i < keyValues.length; i += 2) {
            b.set(keyValues[i], keyValues[i + 1]);
        }
        return estimate(b.build(), new ProseEngine());
    }

    /** As the runtime measures it: the limit resolved from the Kafka Streams settings the configuration gives. */
    static BatchBudget.BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine) {
        return BatchBudget.estimate(c, engine, false, BatchTimeLimit.checked(c));
    }

    static BatchBudget.BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine) {
        return BatchBudget.batchTimeFits(c, engine, false, BatchTimeLimit.checked(c));
    }

    /** The check reads the timeouts Kafka Streams will use: kafka.* overrides included, by Streams' own precedence. */
    @Test
    void kafkaOverridesOfTheTransactionTimeoutAreTheLimit() {
        var plain = estimate();
        assertEquals(15_000, plain.limitMs());
        assertEquals("transaction.timeout.ms", plain.limitKeys());
        var kafka = estimate("kafka.transaction.timeout.ms", "1000");
        assertEquals(1000, kafka.limitMs());
        assertEquals("kafka.transaction.timeout.ms", kafka.limitKeys());
        var producer =
                estimate("kafka.producer.transaction.timeout.ms", "2000", "kafka.transaction.timeout.ms", "3000");
        assertEquals(2000, producer.limitMs(), "the producer-prefixed value wins in Kafka Streams");
        assertEquals("kafka.producer.transaction.timeout.ms", producer.limitKeys());
    }

    @Test
    void kafkaOverridesOfMaxPollIntervalAreTheLimit() {
        var plain = estimate("processing.guarantee", "at_least_once");
        assertEquals(300_000, plain.limitMs());
        assertEquals("kafka.max.poll.interval.ms", plain.limitKeys());
        var main = estimate(
                "processing.guarantee",
                "at_least_once",
                "kafka.max.poll.interval.ms",
                "9000",
                "kafka.consumer.max.poll.interval.ms",
                "8000",
                "kafka.main.consumer.max.poll.interval.ms",
                "7000");
        assertEquals(7000, main.limitMs(), "main.consumer. wins over consumer. over the plain key");
        assertEquals("kafka.main.consumer.max.poll.interval.ms", main.limitKeys());
        // under exactly-once the smaller of the two limits counts
        var eos = estimate("kafka.max.poll.interval.ms", "5000");
        assertEquals(5000, eos.limitMs());
        assertEquals("kafka.max.poll.interval.ms", eos.limitKeys());
        // processing.guarantee itself can come from kafka.*
        var alo = estimate("kafka.processing.guarantee", "at_least_once", "kafka.max.poll.interval.ms", "200000");
        assertEquals(200_000, alo.limitMs(), "at_least_once: no transaction, only the poll interval");
        assertTrue(assertThrows(ConfigException.class, () -> estimate("kafka.max.poll.interval.ms", "soon"))
                .getMessage()
                .contains("kafka.max.poll.interval.ms"));
    }

    /** One input.max.bytes record is estimated at the worst case, not at the warm-up prose's ~0.2 tokens a byte. */
    @Test
    void largestInputIsEstimatedAtTheWorstCaseTokensPerByte() {
        var e = estimate("input.max.bytes", "1000000");
        assertEquals(BatchBudget.WORST_TOKENS_PER_BYTE, e.tokensPerByte());
        assertEquals((long) Math.ceil(BatchBudget.WORST_TOKENS_PER_BYTE * 1_000_000), e.largestInputTokens());
    }

    /** Batches are bounded by time on the device: a slow model gets fewer tokens a batch, not a start-up failure. */
    @Test
    void aSlowDeviceGetsASmallerTokenBudgetInsteadOfAFailure() {
        var fast = estimate("batch.max.tokens", "8192");
        assertEquals(8192, fast.effectiveMaxTokens(), "1 ms a batch: the configured budget stands");
        var tight = estimate(
                EnricherConfig.builder()
                        .set("batch.max.tokens", "8192")
                        .set("transaction.timeout.ms", "400")
                        .build(),
                new SlowEngine(20));
        assertEquals(100, tight.budgetMs(), "a quarter of the transaction timeout");
        assertTrue(
                tight.effectiveMaxTokens() < 8192 && tight.effectiveMaxTokens() >= 256,
                "lowered, one window at least: " + tight.effectiveMaxTokens());
        assertTrue(tight.worstMs() <= tight.budgetMs() + 5 || tight.effectiveMaxTokens() == 256, tight.toString());
    }

    /** Each batch takes {@code ms} per 1,000 tokens (at least 1 ms). */
    static class SlowEngine implements EnrichmentEngine {
        private final ProseEngine prose = new ProseEngine();
        private final int msPerThousand;

        SlowEngine(int msPerThousand) {
            this.msPerThousand = msPerThousand;
        }

        @Override
        public EncodedDocument encode(String text) {
            return prose.encode(text);
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            int tokens =
                    documents.stream().mapToInt(EncodedDocument::tokenCount).sum();
            try {
                Thread.sleep(Math.max(1, (long) tokens * msPerThousand / 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return prose.infer(documents);
        }

        public String nerModel() {
            return "slow";
        }

        public String topicModel() {
            return null;
        }

        public void close() {}
    }

    /** A warm-up that fails with an engine error (a broken device) stops the start; a record-level failure does not. */
    @Test
    void aWarmUpFailingWithAnEngineErrorFailsTheStart() {
        EnrichmentEngine broken = new SlowEngine(1) {
            @Override
            public BatchResult infer(List<? extends EncodedDocument> documents) {
                throw new IllegalStateException("CUDA failure 700: an illegal memory access was encountered");
            }
        };
        var ex = assertThrows(EngineFailureException.class, () -> batchTimeFits(EnricherConfig.defaults(), broken));
        assertTrue(ex.getMessage().contains("CUDA failure 700"), ex.getMessage());
        EnrichmentEngine poison = new SlowEngine(1) {
            @Override
            public BatchResult infer(List<? extends EncodedDocument> documents) {
                throw new IllegalArgumentException("Gather: index out of range");
            }
        };
        assertNull(batchTimeFits(EnricherConfig.defaults(), poison), "skipped, as before: records are isolated");
    }

    @Test
    void timeoutThatTheWorstCaseCannotFitFailsNamingTheEffectiveKey() {
        EnricherConfig c = EnricherConfig.builder()
                .set("kafka.transaction.timeout.ms", "1")
                .build();
        ConfigException ex = assertThrows(ConfigException.class, () -> batchTimeFits(c, new ProseEngine()));
        assertTrue(ex.getMessage().contains("kafka.transaction.timeout.ms=1 ms"), ex.getMessage());
    }

    // ---- the tokens-per-byte bound, measured with the real tokenizers ----

    private static String random(Random r, int chars, int lo, int hi, double spaceShare) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) {
            if (r.nextDouble() < spaceShare) {
                sb.append(' ');
                continue;
            }
            int cp = lo + r.nextInt(hi - lo + 1);
            if ((cp >= 0xD800 && cp <= 0xDFFF) || !Character.isDefined(cp)) {
                continue;
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** Texts of every script and shape, and the adversarial ones: runs of one-token bytes as words of every length. */
    static Map<String, String> texts() {
        Random r = new Random(11);
        int n = 4000;
        Map<String, String> t = new LinkedHashMap<>();
        t.put("prose", "The company said on Tuesday that its quarterly profit rose sharply. ".repeat(60));
        t.put("cjk", random(r, n, 0x4E00, 0x9FFF, 0));
        t.put("cjk-punctuated", random(r, n, 0x4E00, 0x9FFF, 0).replaceAll("(.{7})", "$1，"));
        t.put("kana", random(r, n, 0x3041, 0x30FF, 0));
        t.put("hangul", random(r, n, 0xAC00, 0xD7A3, 0.3));
        t.put("arabic", random(r, n, 0x0600, 0x06FF, 0.15));
        t.put("devanagari", random(r, n, 0x0900, 0x097F, 0.15));
        t.put("ascii-random", random(r, n, 0x21, 0x7E, 0));
        t.put("ascii-random-words", random(r, n, 0x21, 0x7E, 0.2));
        t.put("unicode-random-bmp", random(r, n, 0x20, 0xFFFD, 0));
        t.put("unicode-random-all", random(r, n, 0x20, 0x10FFFF, 0.1));
        t.put("emoji", random(r, n, 0x1F300, 0x1FAFF, 0));
        t.put("emoji-words", random(r, n, 0x1F300, 0x1FAFF, 0.5));
        t.put("emoji-zwj", "👩‍💻 👨‍👩‍👧 ".repeat(n / 10));
        t.put("flags", "🇨🇭🇩🇪".repeat(n / 8));
        t.put("digits", random(r, n, '0', '9', 0));
        t.put("digits-spaced", random(r, n, '0', '9', 0.5));
        t.put("punctuation", random(r, n, 0x21, 0x2F, 0));
        t.put("controls", random(r, n, 0x01, 0x1F, 0));
        t.put("combining-marks", "e\u0301".repeat(n / 2));
        t.put("dotted-capital-i", "İ".repeat(n));
        t.put("one-letter-words", "a ".repeat(n / 2));
        // a byte-level BPE gives a control character or a lone combining mark one token per byte, and keeps a run
        // of them one pre-token: words of ~maxLength/3 tokens make every window start at a word start, overlapping
        // its predecessor by up to half (WindowingTokenizer), so ~2 tokens are fed per byte
        for (int k = 8; k < 600; k += 3) {
            t.put("control-words-" + k, ("\u0001".repeat(k) + " ").repeat(Math.max(2, 8000 / k)));
            t.put("mark-words-" + k, ("\u0301".repeat(k / 2) + " ").repeat(Math.max(2, 8000 / k)));
        }
        return t;
    }

    /** Tokens fed (all windows, specials and overlaps included) per UTF-8 byte of the text: what the check multiplies by. */
    @Test
    void worstCaseTokensPerByteOfTheRealTokenizersIsBelowTheEstimate() {
        Map<String, Object[]> tokenizers = new LinkedHashMap<>();
        tokenizers.put(
                "bert-base-cased 512/64",
                new Object[] {SharedData.require("tokenizers/bert-base-cased/tokenizer.json"), 512, 64});
        tokenizers.put(
                "roberta-base 512/64",
                new Object[] {SharedData.require("tokenizers/roberta-base/tokenizer.json"), 512, 64});
        // a short-window bundle: more windows, more specials and overlap per byte
        tokenizers.put(
                "roberta-base 128/16",
                new Object[] {SharedData.require("tokenizers/roberta-base/tokenizer.json"), 128, 16});
        tokenizers.put("default bundle 256/32", new Object[] {
            Path.of("..", "..", "model-store", "minilm-l6-conll03-agnews", "tokenizer.json"), 256, 32
        });
        Map<String, String> texts = texts();
        double overall = 0;
        StringBuilder table = new StringBuilder();
        for (var tk : tokenizers.entrySet()) {
            Object[] a = tk.getValue();
            double worst = 0;
            String worstText = null;
            try (WindowingTokenizer w = new WindowingTokenizer((Path) a[0], (int) a[1], (int) a[2], false)) {
                for (var e : texts.entrySet()) {
                    int bytes = e.getValue().getBytes(StandardCharsets.UTF_8).length;
                    EncodedText et = w.encode(e.getValue());
                    double perByte = (double) et.tokenCount() / bytes;
                    if (!e.getKey().contains("-words-")) {
                        table.append(String.format(
                                "%-24s %-20s %.3f (content %.3f)%n",
                                tk.getKey(), e.getKey(), perByte, (double) et.ids().length / bytes));
                    }
                    assertTrue(
                            perByte <= BatchBudget.WORST_TOKENS_PER_BYTE,
                            tk.getKey() + " on " + e.getKey() + ": " + perByte + " tokens a byte, over the estimate "
                                    + BatchBudget.WORST_TOKENS_PER_BYTE);
                    if (perByte > worst) {
                        worst = perByte;
                        worstText = e.getKey();
                    }
                }
            }
            table.append(String.format("%-24s WORST %-14s %.3f%n", tk.getKey(), worstText, worst));
            overall = Math.max(overall, worst);
        }
        System.out.print(table);
        // the adversarial texts do reach the bound's neighbourhood: the estimate is not loose by accident
        assertTrue(overall > 1.9, "worst " + overall);
    }
}
