import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where ONNX Runtime spends a model's time, by operator: ids.txt (one line of token ids per text, as written by
 * logits_diff.py ids) sorted by length in padded batches of 32, 3 passes, one intra-op thread, ORT's profiler;
 * prints each operator type's share of the kernel time.
 *
 *   java -cp app/target/streamnlp.jar model-store/tools/java/OpProfile.java MODEL.onnx ids.txt
 */
public class OpProfile {
    public static void main(String[] a) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<long[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a[1]))) {
            rows.add(Arrays.stream(line.trim().split(" ")).mapToLong(Long::parseLong).toArray());
        }
        rows.sort(Comparator.comparingInt(r -> r.length));
        Path prefix = Files.createTempDirectory("ort-profile").resolve("profile");
        String file;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.enableProfiling(prefix.toString());
            try (OrtSession s = env.createSession(a[0], so)) {
                for (int rep = 0; rep < 3; rep++) {
                    for (int i = 0; i < rows.size(); i += 32) {
                        List<long[]> chunk = rows.subList(i, Math.min(rows.size(), i + 32));
                        int w = chunk.stream().mapToInt(r -> r.length).max().orElse(0);
                        long[][] ids = new long[chunk.size()][w], mask = new long[chunk.size()][w];
                        for (int k = 0; k < chunk.size(); k++) {
                            for (int j = 0; j < chunk.get(k).length; j++) {
                                ids[k][j] = chunk.get(k)[j];
                                mask[k][j] = 1;
                            }
                        }
                        Map<String, OnnxTensor> in = new HashMap<>();
                        in.put("input_ids", OnnxTensor.createTensor(env, ids));
                        in.put("attention_mask", OnnxTensor.createTensor(env, mask));
                        in.put("token_type_ids", OnnxTensor.createTensor(env, new long[chunk.size()][w]));
                        try (OrtSession.Result r = s.run(in)) {
                            // timing only
                        }
                        for (OnnxTensor t : in.values()) {
                            t.close();
                        }
                    }
                }
                file = s.endProfiling();
            }
        }
        Map<String, Long> byOp = new TreeMap<>();
        long total = 0;
        for (JsonNode e : new ObjectMapper().readTree(Path.of(file).toFile())) {
            if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
                long d = e.path("dur").asLong();
                byOp.merge(e.path("args").path("op_name").asText(), d, Long::sum);
                total += d;
            }
        }
        long sum = total;
        System.out.printf("%s: kernel time %.1f ms%n", a[0], total / 1000.0);
        byOp.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("  %-28s %5.1f %%%n", e.getKey(), 100.0 * e.getValue() / sum));
        Files.deleteIfExists(Path.of(file));
    }
}
