package io.streamnlp.model;

import static io.streamnlp.model.ModelBundle.CONFIG;
import static io.streamnlp.model.ModelBundle.MANIFEST;
import static io.streamnlp.model.ModelBundle.MODEL;
import static io.streamnlp.model.ModelBundle.TOKENIZER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.model.ModelBundle.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a {@link ModelBundle} folder: {@code config.json}, the optional manifest {@code bundle.json} and the
 * tokenizer's vocabulary, checking every rule that can be checked against the graph's declared signature; each
 * failure is one {@link BundleException} naming the file.
 */
public final class ModelBundleReader {
    /** Inputs the engine knows how to feed. */
    public static final Set<String> KNOWN_INPUTS =
            Set.of("input_ids", "attention_mask", "token_type_ids", "position_ids");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelBundleReader() {}

    /** Checks the folder and its required files exist (before anything opens them). */
    public static void requireFiles(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BundleException("model bundle folder " + dir + " does not exist or is not a folder");
        }
        for (String f : List.of(MODEL, TOKENIZER, CONFIG)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new BundleException("model bundle " + dir + ": missing file " + f);
            }
        }
    }

    /** What the manifest (or, without one, config.json and the graph) says about the bundle. */
    private record Described(
            String name,
            String version,
            String description,
            int maxLength,
            int stride,
            boolean lowercase,
            boolean sentenceWindows,
            Task ner,
            Task topic) {}

    /** Reads and validates the bundle against the signature of its {@code model.onnx}. */
    public static ModelBundle read(Path dir, GraphSignature graph) {
        requireFiles(dir);
        Path configFile = dir.resolve(CONFIG);
        Path manifestFile = dir.resolve(MANIFEST);
        JsonNode config = readJson(configFile);
        JsonNode manifest = Files.isRegularFile(manifestFile) ? readJson(manifestFile) : null;

        checkInputs(dir, graph);

        String modelType = config.path("model_type").asText("");
        int maxPositions = config.path("max_position_embeddings").asInt(0);
        List<String> configLabels = id2label(config, configFile);

        Described d = manifest != null
                ? fromManifest(manifest, manifestFile, configFile, configLabels, maxPositions, graph, dir)
                : fromConfig(config, configFile, configLabels, maxPositions, graph, dir);

        checkLengths(d, maxPositions, manifest != null ? manifestFile : configFile, manifestFile, configFile);
        checkVocab(dir, config, configFile);
        return new ModelBundle(
                dir,
                d.name(),
                d.version(),
                d.description(),
                modelType,
                d.maxLength(),
                d.stride(),
                d.lowercase(),
                d.sentenceWindows(),
                d.ner(),
                d.topic(),
                graph.inputs());
    }

    /** The graph's inputs are ones the engine feeds, input_ids among them. */
    private static void checkInputs(Path dir, GraphSignature graph) {
        for (String input : graph.inputs()) {
            if (!KNOWN_INPUTS.contains(input)) {
                throw new BundleException(dir.resolve(MODEL) + ": unknown input '" + input + "' (the engine feeds "
                        + "input_ids, attention_mask, token_type_ids, position_ids)");
            }
        }
        if (!graph.inputs().contains("input_ids")) {
            throw new BundleException(
                    dir.resolve(MODEL) + ": no input 'input_ids' (inputs are " + graph.inputs() + ")");
        }
    }

    /** A bundle with a manifest: its fields, windowing and tasks. */
    private static Described fromManifest(
            JsonNode manifest,
            Path manifestFile,
            Path configFile,
            List<String> configLabels,
            int maxPositions,
            GraphSignature graph,
            Path dir) {
        String name = text(manifest, "name", dir.getFileName().toString());
        String version = text(manifest, "version", "0");
        String description = text(manifest, "description", "");
        int maxLength = manifest.path("maxLength").asInt(defaultMaxLength(maxPositions));
        int stride = manifest.path("stride").asInt(maxLength / 8);
        boolean lowercase = manifest.path("lowercase").asBoolean(false);
        String windowing = text(manifest, "windowing", "context");
        if (!windowing.equals("context") && !windowing.equals("sentence")) {
            throw new BundleException(manifestFile + ": windowing '" + windowing + "' must be context or sentence");
        }
        boolean sentenceWindows = windowing.equals("sentence");
        JsonNode tasks = manifest.path("tasks");
        if (!tasks.isObject() || tasks.isEmpty()) {
            throw new BundleException(manifestFile + ": no \"tasks\" (expected ner and/or topic)");
        }
        for (Iterator<String> it = tasks.fieldNames(); it.hasNext(); ) {
            String t = it.next();
            if (!t.equals("ner") && !t.equals("topic")) {
                throw new BundleException(manifestFile + ": unknown task '" + t + "' (expected ner or topic)");
            }
        }
        Task ner = tasks.has("ner")
                ? manifestTask(tasks.get("ner"), "ner", 3, manifestFile, configFile, configLabels, graph, dir)
                : null;
        Task topic = tasks.has("topic")
                ? manifestTask(tasks.get("topic"), "topic", 2, manifestFile, configFile, configLabels, graph, dir)
                : null;
        return new Described(name, version, description, maxLength, stride, lowercase, sentenceWindows, ner, topic);
    }

    /** A bundle without a manifest: config.json's name and id2label, the task told by the output's rank. */
    private static Described fromConfig(
            JsonNode config,
            Path configFile,
            List<String> configLabels,
            int maxPositions,
            GraphSignature graph,
            Path dir) {
        String name = text(config, "_name_or_path", dir.getFileName().toString());
        if (name.isBlank()) {
            name = dir.getFileName().toString();
        }
        int maxLength = defaultMaxLength(maxPositions);
        String output = defaultOutput(graph, dir);
        int rank = graph.outputShapes().get(output).length;
        if (configLabels == null) {
            throw new BundleException(
                    configFile + ": no id2label (needed to name the labels of output '" + output + "')");
        }
        Task ner;
        Task topic;
        if (rank == 3) {
            ner = new Task(output, configLabels, scheme(null, configLabels, configFile), Aggregation.FIRST);
            topic = null;
        } else if (rank == 2) {
            ner = null;
            topic = new Task(output, configLabels, null, null);
        } else {
            throw new BundleException(dir.resolve(MODEL) + ": output '" + output + "' has rank " + rank
                    + "; expected 3 (token classification) or 2 (sequence classification)");
        }
        checkWidth(ner != null ? ner : topic, graph, dir, configFile);
        return new Described(name, "0", "", maxLength, maxLength / 8, false, false, ner, topic);
    }

    /** maxLength fits the model's positions and is at least 8; the stride is at most half of it. */
    private static void checkLengths(
            Described d, int maxPositions, Path lengthSource, Path manifestFile, Path configFile) {
        int maxLength = d.maxLength();
        int stride = d.stride();
        if (maxPositions > 0 && maxLength > maxPositions) {
            throw new BundleException(lengthSource + ": maxLength " + maxLength + " exceeds max_position_embeddings "
                    + maxPositions + " of " + configFile.getFileName());
        }
        if (maxLength < 8) {
            throw new BundleException(manifestFile + ": maxLength " + maxLength + " is too small (at least 8)");
        }
        if (stride < 0 || stride > maxLength / 2) {
            throw new BundleException(
                    manifestFile + ": stride " + stride + " must be between 0 and maxLength/2 (" + maxLength / 2 + ")");
        }
    }

    private static Task manifestTask(
            JsonNode node,
            String task,
            int rank,
            Path manifestFile,
            Path configFile,
            List<String> configLabels,
            GraphSignature graph,
            Path dir) {
        String output = node.path("output").asText(null);
        if (output == null) {
            output = defaultOutput(graph, dir);
        }
        long[] shape = graph.outputShapes().get(output);
        if (shape == null) {
            throw new BundleException(
                    manifestFile + ": task " + task + " declares output '" + output + "' which is not in " + MODEL
                            + " (outputs are " + graph.outputShapes().keySet() + ")");
        }
        if (shape.length != rank) {
            throw new BundleException(manifestFile + ": task " + task + " output '" + output + "' has rank "
                    + shape.length + " in " + MODEL + "; expected " + rank);
        }
        List<String> labels;
        Path labelSource;
        if (node.has("labels")) {
            labels = new ArrayList<>();
            node.get("labels").forEach(l -> labels.add(l.asText()));
            labelSource = manifestFile;
        } else if (configLabels != null) {
            labels = configLabels;
            labelSource = configFile;
        } else {
            throw new BundleException(
                    manifestFile + ": task " + task + " has no labels and " + CONFIG + " has no id2label");
        }
        if (labels.isEmpty()) {
            throw new BundleException(labelSource + ": task " + task + " has no labels");
        }
        LabelScheme scheme = null;
        Aggregation aggregation = null;
        if (task.equals("ner")) {
            scheme = scheme(
                    node.path("labelScheme").asText(null),
                    labels,
                    node.has("labelScheme") ? manifestFile : labelSource);
            try {
                aggregation = Aggregation.parse(node.path("aggregation").asText(null));
            } catch (IllegalArgumentException e) {
                throw new BundleException(manifestFile + ": " + e.getMessage());
            }
            if (aggregation == null) {
                aggregation = Aggregation.FIRST;
            }
        }
        Task t = new Task(output, labels, scheme, aggregation);
        checkWidth(t, graph, dir, labelSource);
        return t;
    }

    private static LabelScheme scheme(String declared, List<String> labels, Path file) {
        if (declared != null) {
            LabelScheme s = LabelScheme.parse(declared);
            if (s == null) {
                throw new BundleException(
                        file + ": unknown label scheme '" + declared + "' (expected IOB1, IOB2, IO or BIOES)");
            }
            return s;
        }
        LabelScheme s = LabelScheme.detect(labels);
        if (s == null) {
            throw new BundleException(
                    file + ": unknown label scheme: labels " + labels + " fit none of IOB1, IOB2, IO, BIOES");
        }
        return s;
    }

    private static void checkWidth(Task task, GraphSignature graph, Path dir, Path labelSource) {
        long[] shape = graph.outputShapes().get(task.output());
        long width = shape[shape.length - 1];
        if (width > 0 && width != task.labels().size()) {
            throw labelMismatch(dir, labelSource, task, width);
        }
    }

    /** Checks a width seen at run time (for graphs whose label dimension is dynamic). */
    public static void checkOutputWidth(ModelBundle bundle, Task task, long width) {
        if (width != task.labels().size()) {
            Path dir = bundle.dir();
            Path source = Files.isRegularFile(dir.resolve(MANIFEST)) ? dir.resolve(MANIFEST) : dir.resolve(CONFIG);
            throw labelMismatch(dir, source, task, width);
        }
    }

    private static BundleException labelMismatch(Path dir, Path labelSource, Task task, long width) {
        return new BundleException(labelSource + ": " + task.labels().size() + " labels but output '" + task.output()
                + "' of " + dir.resolve(MODEL).getFileName() + " has " + width + " logits per "
                + (task.scheme() != null ? "token" : "sequence"));
    }

    private static String defaultOutput(GraphSignature graph, Path dir) {
        Map<String, long[]> outs = graph.outputShapes();
        if (outs.containsKey("logits")) {
            return "logits";
        }
        if (outs.containsKey("output_0")) {
            return "output_0";
        }
        if (outs.size() == 1) {
            return outs.keySet().iterator().next();
        }
        throw new BundleException(dir.resolve(MODEL) + ": no output named logits or output_0 and several outputs "
                + outs.keySet() + "; name the output per task in " + MANIFEST);
    }

    private static int defaultMaxLength(int maxPositions) {
        return maxPositions > 0 ? Math.min(512, maxPositions) : 512;
    }

    private static List<String> id2label(JsonNode config, Path configFile) {
        JsonNode node = config.get("id2label");
        if (node == null || !node.isObject() || node.isEmpty()) {
            return null;
        }
        TreeMap<Integer, String> byId = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            try {
                byId.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
            } catch (NumberFormatException ex) {
                throw new BundleException(configFile + ": id2label key '" + e.getKey() + "' is not an integer");
            }
        }
        if (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
            throw new BundleException(
                    configFile + ": id2label ids are not 0.." + (byId.size() - 1) + ": " + byId.keySet());
        }
        return new ArrayList<>(byId.values());
    }

    /** The tokenizer must not produce ids the model's embedding does not have. */
    private static void checkVocab(Path dir, JsonNode config, Path configFile) {
        int modelVocab = config.path("vocab_size").asInt(0);
        if (modelVocab <= 0) {
            return;
        }
        Path tokFile = dir.resolve(TOKENIZER);
        long tokVocab = tokenizerVocabSize(readJson(tokFile));
        if (tokVocab > modelVocab) {
            throw new BundleException(tokFile + ": tokenizer vocabulary has " + tokVocab + " tokens but "
                    + configFile.getFileName() + " vocab_size (the model's embedding) is " + modelVocab
                    + ": tokenizer and model do not match");
        }
    }

    /** Highest token id + 1 over the model vocabulary and the added tokens. */
    static long tokenizerVocabSize(JsonNode tok) {
        long max = -1;
        JsonNode vocab = tok.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                max = Math.max(max, it.next().asLong());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            max = vocab.size() - 1;
        }
        for (JsonNode added : tok.path("added_tokens")) {
            max = Math.max(max, added.path("id").asLong(-1));
        }
        return max + 1;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BundleException("missing file " + file);
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new BundleException(file + ": invalid JSON: expected an object");
            }
            return node;
        } catch (IOException e) {
            throw new BundleException(file + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String dflt) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
