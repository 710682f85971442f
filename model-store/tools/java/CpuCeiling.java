import com.sun.management.OperatingSystemMXBean;
import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.bench.BenchTexts;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Engine cost per document in CPU time, for several bundles, interleaved: one session, one intra-op thread
 * (no ONNX Runtime thread pool, nothing spinning), the bench's texts (BenchTexts, seed 42) sorted by length in
 * batches of 32. docs per CPU-second is what a loaded machine can still compare (wall-clock docs/s there moves
 * with the other processes; it is printed too).
 *
 *   java -Xss8m -cp app/target/streamnlp.jar model-store/tools/java/CpuCeiling.java \
 *        [--texts N] [--repeats R] [--batch B] [--shared DIR] BUNDLE...
 */
public class CpuCeiling {
    public static void main(String[] a) throws Exception {
        int texts = 400, repeats = 5, batch = 32;
        Path shared = Path.of("../shared");
        List<Path> bundles = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            switch (a[i]) {
                case "--texts" -> texts = Integer.parseInt(a[++i]);
                case "--repeats" -> repeats = Integer.parseInt(a[++i]);
                case "--batch" -> batch = Integer.parseInt(a[++i]);
                case "--shared" -> shared = Path.of(a[++i]);
                default -> bundles.add(Path.of(a[i]));
            }
        }
        List<String> corpus = new ArrayList<>(BenchTexts.load(shared, texts).texts());
        corpus.sort(Comparator.comparingInt(String::length));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<OnnxEnrichmentEngine> engines = new ArrayList<>();
        List<List<List<EncodedDocument>>> batches = new ArrayList<>();
        for (Path b : bundles) {
            OnnxEnrichmentEngine e = OnnxEnrichmentEngine.open(
                    new EngineOptions(b, b, Device.CPU, 1, 1, null, batch), 1);
            engines.add(e);
            List<List<EncodedDocument>> bs = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i += batch) {
                bs.add(corpus.subList(i, Math.min(corpus.size(), i + batch)).stream().map(e::encode).toList());
            }
            batches.add(bs);
            run(e, bs); // warm-up
        }
        System.out.printf("%d texts, batches of %d, %d repeats, 1 session x 1 intra-op thread%n", corpus.size(), batch,
                repeats);
        double[][] cpu = new double[bundles.size()][repeats], wall = new double[bundles.size()][repeats];
        for (int r = 0; r < repeats; r++) {
            for (int b = 0; b < bundles.size(); b++) {
                long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
                run(engines.get(b), batches.get(b));
                long c1 = os.getProcessCpuTime(), w1 = System.nanoTime();
                cpu[b][r] = corpus.size() / ((c1 - c0) / 1e9);
                wall[b][r] = corpus.size() / ((w1 - w0) / 1e9);
            }
        }
        double base = median(cpu[0]);
        for (int b = 0; b < bundles.size(); b++) {
            System.out.printf("%-50s docs/CPU-s median %7.1f (%.2fx the first)  runs %s  | wall docs/s median %7.1f%n",
                    bundles.get(b), median(cpu[b]), median(cpu[b]) / base, fmt(cpu[b]), median(wall[b]));
        }
        for (OnnxEnrichmentEngine e : engines) {
            e.close();
        }
    }

    static void run(OnnxEnrichmentEngine e, List<List<EncodedDocument>> bs) {
        for (List<EncodedDocument> docs : bs) {
            e.infer(docs);
        }
    }

    static double median(double[] v) {
        double[] x = v.clone();
        Arrays.sort(x);
        return x[x.length / 2];
    }

    static String fmt(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (double d : v) {
            s.append(s.length() > 1 ? " " : "").append(String.format("%.1f", d));
        }
        return s.append("]").toString();
    }
}
