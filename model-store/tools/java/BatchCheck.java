import ai.onnxruntime.*;
import java.nio.file.*;
import java.util.*;

/** Logits of each text alone vs inside padded batches of B (in file order): max abs diff per output. */
public class BatchCheck {
  static Map<String, float[][]> run(OrtEnvironment env, OrtSession s, List<long[]> rows) throws Exception {
    int w = 0; for (long[] r : rows) w = Math.max(w, r.length);
    long[][] ids = new long[rows.size()][w], mask = new long[rows.size()][w], tt = new long[rows.size()][w];
    for (int i = 0; i < rows.size(); i++) for (int j = 0; j < rows.get(i).length; j++) { ids[i][j] = rows.get(i)[j]; mask[i][j] = 1; }
    Map<String, OnnxTensor> in = new HashMap<>();
    in.put("input_ids", OnnxTensor.createTensor(env, ids));
    in.put("attention_mask", OnnxTensor.createTensor(env, mask));
    in.put("token_type_ids", OnnxTensor.createTensor(env, tt));
    Map<String, float[][]> out = new HashMap<>();
    try (OrtSession.Result r = s.run(in)) {
      for (Map.Entry<String, OnnxValue> e : r) {
        OnnxTensor t = (OnnxTensor) e.getValue();
        long[] shape = t.getInfo().getShape();
        float[] f = new float[(int) t.getInfo().getNumElements()];
        t.getFloatBuffer().get(f);
        int per = f.length / rows.size();
        float[][] split = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
          int keep = shape.length == 3 ? rows.get(i).length * (int) shape[2] : per; // drop padded positions
          split[i] = Arrays.copyOfRange(f, i * per, i * per + keep);
        }
        out.put(e.getKey(), split);
      }
    }
    return out;
  }
  public static void main(String[] a) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(1);
    int b = Integer.parseInt(a[2]);
    List<long[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(a[1]))) rows.add(Arrays.stream(line.trim().split(" ")).mapToLong(Long::parseLong).toArray());
    Collections.shuffle(rows, new Random(1));
    try (OrtSession s = env.createSession(a[0], so)) {
      Map<String, Double> max = new TreeMap<>();
      for (int i = 0; i < rows.size(); i += b) {
        List<long[]> chunk = rows.subList(i, Math.min(rows.size(), i + b));
        Map<String, float[][]> batched = run(env, s, chunk);
        for (int k = 0; k < chunk.size(); k++) {
          Map<String, float[][]> alone = run(env, s, List.of(chunk.get(k)));
          for (String name : alone.keySet()) {
            float[] x = alone.get(name)[0], y = batched.get(name)[k];
            for (int j = 0; j < x.length; j++) max.merge(name, (double) Math.abs(x[j] - y[j]), Math::max);
          }
        }
      }
      System.out.println(a[0] + " batch " + b + " vs alone, max abs diff: " + max);
    }
  }
}
