import ai.onnxruntime.*;
import java.nio.file.*;
import java.util.*;
import java.io.*;

public class OrtCheck {
  public static void main(String[] a) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(1);
    try (OrtSession s = env.createSession(a[0], so); PrintWriter out = new PrintWriter(a[2])) {
      System.out.println("inputs " + s.getInputInfo().keySet() + " outputs " + s.getOutputInfo().keySet());
      for (String line : Files.readAllLines(Paths.get(a[1]))) {
        String[] p = line.trim().split(" ");
        long[][] ids = new long[1][p.length], mask = new long[1][p.length], tt = new long[1][p.length];
        for (int i = 0; i < p.length; i++) { ids[0][i] = Long.parseLong(p[i]); mask[0][i] = 1; }
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(env, ids));
        in.put("attention_mask", OnnxTensor.createTensor(env, mask));
        in.put("token_type_ids", OnnxTensor.createTensor(env, tt));
        try (OrtSession.Result r = s.run(in)) {
          for (Map.Entry<String, OnnxValue> e : r) {
            OnnxTensor t = (OnnxTensor) e.getValue();
            float[] f = new float[(int) t.getInfo().getNumElements()];
            t.getFloatBuffer().get(f);
            StringBuilder sb = new StringBuilder(e.getKey());
            for (float x : f) sb.append(' ').append(x);
            out.println(sb);
          }
        }
      }
    }
  }
}
