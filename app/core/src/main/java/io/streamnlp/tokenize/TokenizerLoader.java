package io.streamnlp.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.model.BundleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a DJL {@link HuggingFaceTokenizer} from a tokenizer.json file, never by name (a name fetches from the
 * hub). Older tokenizer.json files whose {@code model} lacks a {@code "type"} (roberta-base) and files that
 * configure truncation or padding are patched in memory and loaded from a temporary copy.
 */
public final class TokenizerLoader {
    private static final Logger log = LoggerFactory.getLogger(TokenizerLoader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // DJL must never reach the network: the native library ships in the jar, tokenizers come from files.
        System.setProperty("DJL_OFFLINE", "true");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private TokenizerLoader() {}

    /** A loaded tokenizer and the id it pads with. */
    public record Loaded(HuggingFaceTokenizer tokenizer, long padId, boolean lowercases) {}

    /** Loads the tokenizer with special tokens, truncation and padding all off: the caller windows the ids. */
    public static Loaded load(Path tokenizerJson) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new BundleException("missing file " + tokenizerJson);
        }
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new BundleException(tokenizerJson + ": invalid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new BundleException(tokenizerJson + ": not a tokenizer.json (no \"model\" section)");
        }
        boolean patched = false;
        ObjectNode model = (ObjectNode) root.get("model");
        if (!model.hasNonNull("type")) {
            model.put("type", guessModelType(model));
            patched = true;
        }
        ObjectNode obj = (ObjectNode) root;
        for (String field : new String[] {"truncation", "padding"}) {
            if (obj.hasNonNull(field)) {
                obj.putNull(field);
                patched = true;
            }
        }
        long padId = padId(root);
        boolean lowercases = lowercases(root.path("normalizer"));
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
        try {
            if (!patched) {
                return new Loaded(HuggingFaceTokenizer.newInstance(tokenizerJson, options), padId, lowercases);
            }
            Path tmp = Files.createTempFile("streamnlp-tokenizer", ".json");
            try {
                JSON.writeValue(tmp.toFile(), root);
                log.debug(
                        "loading patched copy of {} (model type {})",
                        tokenizerJson,
                        model.get("type").asText());
                return new Loaded(HuggingFaceTokenizer.newInstance(tmp, options), padId, lowercases);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            throw new BundleException(tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /** The padding id the file configures, else that of [PAD] or &lt;pad&gt;, else 0 (masked out anyway). */
    static long padId(JsonNode root) {
        JsonNode padding = root.path("padding");
        if (padding.has("pad_id")) {
            return padding.get("pad_id").asLong();
        }
        for (JsonNode added : root.path("added_tokens")) {
            String content = added.path("content").asText();
            if (content.equals("[PAD]") || content.equals("<pad>")) {
                return added.path("id").asLong();
            }
        }
        JsonNode vocab = root.path("model").path("vocab");
        for (String name : new String[] {"[PAD]", "<pad>"}) {
            if (vocab.isObject() && vocab.has(name)) {
                return vocab.get(name).asLong();
            }
        }
        return 0;
    }

    /** Whether the normalizer lowercases (BertNormalizer lowercase, or a Lowercase step, alone or in a Sequence). */
    static boolean lowercases(JsonNode normalizer) {
        String type = normalizer.path("type").asText("");
        switch (type) {
            case "Lowercase":
                return true;
            case "BertNormalizer":
                return normalizer.path("lowercase").asBoolean(true);
            case "Sequence":
                for (JsonNode n : normalizer.path("normalizers")) {
                    if (lowercases(n)) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    /** What a model section without "type" must be, from the fields only that type has. */
    static String guessModelType(JsonNode model) {
        if (model.has("merges")) {
            return "BPE";
        }
        if (model.path("vocab").isArray()) {
            return "Unigram";
        }
        if (model.has("continuing_subword_prefix") || model.has("max_input_chars_per_word")) {
            return "WordPiece";
        }
        return "WordLevel";
    }
}
