import io.streamnlp.bench.BenchTexts;
import io.streamnlp.bench.RawBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw-ONNX-Runtime part of `streamnlp bench` (no broker) for several bundles, interleaved:
 * every repeat runs each bundle once per grid point, so slow drift of the machine hits them alike.
 * Same texts (BenchTexts, seed 42), batch plan and session options as the bench.
 *
 *   java -Xss8m -cp app/server/target/streamnlp.jar model-store/tools/java/RawCeiling.java \
 *        [--texts N] [--repeats R] [--shared DIR] [--batched] BUNDLE...
 *
 * --batched leaves out the batch-1 grid points (the slowest) and keeps the three batched ones.
 */
public class RawCeiling {
    public static void main(String[] a) throws Exception {
        int texts = 400, repeats = 3;
        Path shared = Path.of("../shared");
        boolean batched = false;
        List<Path> bundles = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            switch (a[i]) {
                case "--texts" -> texts = Integer.parseInt(a[++i]);
                case "--repeats" -> repeats = Integer.parseInt(a[++i]);
                case "--shared" -> shared = Path.of(a[++i]);
                case "--batched" -> batched = true;
                default -> bundles.add(Path.of(a[i]));
            }
        }
        int budget = 8192; // batch.max.tokens default
        List<RawBench.Config> all = List.of(
                new RawBench.Config("1", 1, budget, true, 2, 1),
                new RawBench.Config("1", 1, budget, true, 1, 2),
                new RawBench.Config("32", 32, budget, true, 2, 1),
                new RawBench.Config("32", 32, budget, true, 1, 2),
                new RawBench.Config("tokens", 1 << 20, budget, true, 2, 1));
        boolean onlyBatched = batched;
        List<RawBench.Config> grid =
                all.stream().filter(c -> !onlyBatched || !c.batch().equals("1")).toList();
        BenchTexts.Corpus corpus = BenchTexts.load(shared, texts);
        List<RawBench> rbs = new ArrayList<>();
        for (Path b : bundles) {
            rbs.add(new RawBench(b, corpus.texts(), 64, false));
        }
        System.out.printf("%d texts, %d real tokens, %d repeats%n", corpus.texts().size(), rbs.get(0).realTokens(), repeats);
        double[][][] v = new double[grid.size()][bundles.size()][repeats];
        for (int r = 0; r < repeats; r++) {
            for (int g = 0; g < grid.size(); g++) {
                for (int b = 0; b < bundles.size(); b++) {
                    v[g][b][r] = rbs.get(b).run(grid.get(g)).docsPerSec();
                }
            }
        }
        for (int g = 0; g < grid.size(); g++) {
            for (int b = 0; b < bundles.size(); b++) {
                double[] x = v[g][b].clone();
                Arrays.sort(x);
                System.out.printf("%s  %-45s median %7.1f docs/s  runs %s%n", grid.get(g).label(), bundles.get(b),
                        x[x.length / 2], Arrays.toString(v[g][b]));
            }
        }
        for (RawBench rb : rbs) {
            rb.close();
        }
    }
}
