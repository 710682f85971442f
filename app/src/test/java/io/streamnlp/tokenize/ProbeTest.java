package io.streamnlp.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void probe() {
        String text = "Jose\u0301 and \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67 met 東京 in   Paris \uD83D\uDE00. Ünïcödé Dr. O'Neil-Smith";
        for (Path p : new Path[] {TestBundles.minilmTokenizer(), SharedData.root().resolve("tokenizers/bert-base-cased/tokenizer.json"),
                SharedData.root().resolve("tokenizers/roberta-base/tokenizer.json")}) {
            try (HuggingFaceTokenizer t = TokenizerLoader.load(p).tokenizer()) {
                Encoding e = t.encode(text, false, false);
                StringBuilder sb = new StringBuilder();
                int[] cps = text.codePoints().toArray();
                for (int i = 0; i < e.getIds().length; i++) {
                    var sp = e.getCharTokenSpans()[i];
                    sb.append(e.getTokens()[i]).append('[').append(e.getWordIds()[i]).append(' ').append(sp.getStart()).append(',').append(sp.getEnd())
                      .append("='").append(new String(cps, sp.getStart(), sp.getEnd() - sp.getStart())).append("'] ");
                }
                System.out.println(p + "\n" + sb);
                System.out.println(Arrays.toString(t.encode("a", true, false).getIds()) + " " + Arrays.toString(t.encode("", true, false).getIds()));
                System.out.println("long: " + t.encode("word ".repeat(1000), false, false).getIds().length);
            }
        }
    }
}
