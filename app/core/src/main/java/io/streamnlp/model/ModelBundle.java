package io.streamnlp.model;

import java.nio.file.Path;
import java.util.List;

/**
 * What a model bundle folder describes: a folder in the Hugging Face / Optimum layout ({@code model.onnx},
 * {@code tokenizer.json}, {@code config.json}) plus our optional manifest {@code bundle.json}. A value: made only by
 * {@link ModelBundleReader}, which reads the files and checks them.
 */
public final class ModelBundle {
    public static final String MODEL = "model.onnx";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String CONFIG = "config.json";
    public static final String MANIFEST = "bundle.json";

    /** One task a graph output serves. */
    public record Task(String output, List<String> labels, LabelScheme scheme, Aggregation aggregation) {
        public Task {
            labels = List.copyOf(labels);
        }
    }

    private final Path dir;
    private final String name;
    private final String version;
    private final String description;
    private final String modelType;
    private final int maxLength;
    private final int stride;
    private final boolean lowercase;
    private final boolean sentenceWindows;
    private final Task ner;
    private final Task topic;
    private final List<String> inputs;

    ModelBundle(
            Path dir,
            String name,
            String version,
            String description,
            String modelType,
            int maxLength,
            int stride,
            boolean lowercase,
            boolean sentenceWindows,
            Task ner,
            Task topic,
            List<String> inputs) {
        this.dir = dir;
        this.name = name;
        this.version = version;
        this.description = description;
        this.modelType = modelType;
        this.maxLength = maxLength;
        this.stride = stride;
        this.lowercase = lowercase;
        this.sentenceWindows = sentenceWindows;
        this.ner = ner;
        this.topic = topic;
        this.inputs = List.copyOf(inputs);
    }

    public Path dir() {
        return dir;
    }

    public Path modelFile() {
        return dir.resolve(MODEL);
    }

    public Path tokenizerFile() {
        return dir.resolve(TOKENIZER);
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    public String modelType() {
        return modelType;
    }
    /** Tokens per window, special tokens included. */
    public int maxLength() {
        return maxLength;
    }
    /** Tokens of context a window keeps on each side of the part it labels (windows overlap by twice this). */
    public int stride() {
        return stride;
    }
    /**
     * bundle.json "windowing": "sentence": a text longer than one window is cut into its sentences, one window
     * each, no context across them; "context" (the default): windows of consecutive sentences with context.
     */
    public boolean sentenceWindows() {
        return sentenceWindows;
    }

    public boolean lowercase() {
        return lowercase;
    }
    /** The NER task, or null when the bundle has none. */
    public Task ner() {
        return ner;
    }
    /** The topic task, or null when the bundle has none. */
    public Task topic() {
        return topic;
    }
    /** The graph's declared inputs. */
    public List<String> inputs() {
        return inputs;
    }
    /** name@version. */
    public String id() {
        return name + "@" + version;
    }

    @Override
    public String toString() {
        return id() + " (" + dir + ")";
    }
}
