package io.streamnlp.inference;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.tokenize.EncodedText;

/** A text encoded by each of an engine's bundles (one entry per distinct bundle folder). */
final class OnnxEncodedDocument implements EncodedDocument {
    final OnnxEnrichmentEngine owner;
    final EncodedText[] perRuntime;
    private final int tokenCount;
    private final int maxWindowLength;
    private final int contentTokens;

    OnnxEncodedDocument(OnnxEnrichmentEngine owner, EncodedText[] perRuntime) {
        this.owner = owner;
        this.perRuntime = perRuntime;
        int tokens = 0;
        int max = 0;
        int content = Integer.MAX_VALUE;
        for (EncodedText e : perRuntime) {
            tokens += e.tokenCount();
            max = Math.max(max, e.maxWindowLength());
            content = Math.min(content, e.ids().length);
        }
        this.contentTokens = perRuntime.length == 0 ? 0 : content;
        this.tokenCount = tokens;
        this.maxWindowLength = max;
    }

    @Override
    public String text() {
        return perRuntime[0].text();
    }

    @Override
    public int tokenCount() {
        return tokenCount;
    }

    @Override
    public int contentTokens() {
        return contentTokens;
    }

    @Override
    public int maxWindowLength() {
        return maxWindowLength;
    }

    /** Windows of this document across all bundles (model input rows). */
    int windowCount() {
        int n = 0;
        for (EncodedText e : perRuntime) {
            n += e.windowCount();
        }
        return n;
    }
}
