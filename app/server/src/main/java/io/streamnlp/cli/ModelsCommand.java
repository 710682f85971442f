package io.streamnlp.cli;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.Engines;
import io.streamnlp.model.BundleException;
import io.streamnlp.model.GraphSignature;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.model.ModelBundleReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Describes model bundles: what the processor would serve, checked the way it checks them at start-up. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description =
                "List the configured model bundles (or the given folders): tasks, labels, label scheme, graph inputs and outputs.")
public final class ModelsCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Parameters(
            arity = "0..*",
            paramLabel = "FOLDER",
            description = "Bundle folders (default: ner.model and topic.model of the configuration).")
    List<Path> folders = new ArrayList<>();

    @Override
    public Integer call() {
        Set<Path> dirs = new LinkedHashSet<>();
        if (folders.isEmpty()) {
            EnricherConfig c = config.load();
            if (c.getBoolean(ConfigKeys.NER_ENABLED)) dirs.add(Engines.resolve(c.get(ConfigKeys.NER_MODEL)));
            if (c.getBoolean(ConfigKeys.TOPIC_ENABLED)) dirs.add(Engines.resolve(c.get(ConfigKeys.TOPIC_MODEL)));
        } else {
            folders.forEach(f -> dirs.add(f.toAbsolutePath().normalize()));
        }
        int bad = 0;
        for (Path dir : dirs) {
            try {
                describe(System.out, dir);
            } catch (BundleException e) {
                System.err.println("error: " + e.getMessage());
                bad++;
            }
        }
        return bad == 0 ? 0 : Main.EXIT_CONFIG;
    }

    static void describe(PrintStream out, Path dir) {
        ModelBundleReader.requireFiles(dir);
        GraphSignature graph = signature(dir.resolve(ModelBundle.MODEL));
        ModelBundle b = ModelBundleReader.read(dir, graph);
        out.println(b.id() + "  " + dir);
        if (!b.description().isBlank()) {
            out.println("  " + b.description());
        }
        out.printf(
                "  model type: %s, max length: %d, stride: %d, lowercase: %s, windowing: %s%n",
                b.modelType().isEmpty() ? "?" : b.modelType(),
                b.maxLength(),
                b.stride(),
                b.lowercase(),
                b.sentenceWindows() ? "sentence" : "context");
        out.println("  inputs: " + String.join(", ", b.inputs()));
        List<String> outs = new ArrayList<>();
        graph.outputShapes().forEach((name, shape) -> outs.add(name + " " + shape(shape)));
        out.println("  outputs: " + String.join(", ", outs));
        if (b.ner() != null) {
            ModelBundle.Task t = b.ner();
            out.printf(
                    "  task ner: output %s, scheme %s, aggregation %s, %d labels: %s%n",
                    t.output(), t.scheme(), t.aggregation(), t.labels().size(), String.join(" ", t.labels()));
        }
        if (b.topic() != null) {
            ModelBundle.Task t = b.topic();
            out.printf(
                    "  task topic: output %s, %d labels: %s%n",
                    t.output(), t.labels().size(), String.join(", ", t.labels()));
        }
        out.println();
    }

    /** -1 (dynamic) dimensions print as '?'. */
    private static String shape(long[] shape) {
        return Arrays.toString(Arrays.stream(shape)
                .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                .toArray());
    }

    /** Opens the graph only to read its declared inputs and outputs, on CPU. */
    static GraphSignature signature(Path model) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(model.toString(), options)) {
            Map<String, long[]> outs = new LinkedHashMap<>();
            for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo ti) {
                    outs.put(e.getKey(), ti.getShape());
                }
            }
            return new GraphSignature(new ArrayList<>(session.getInputNames()), outs);
        } catch (OrtException e) {
            throw new BundleException(model + ": not a loadable ONNX graph: " + e.getMessage(), e);
        }
    }
}
