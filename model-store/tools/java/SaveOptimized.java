import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * Saves the graph ONNX Runtime actually runs (CPU, ALL_OPT, the engine's session options) for each
 * model, so that its fused operators can be listed (model-store/tools/ops.py):
 *
 *   java -cp app/target/streamnlp.jar model-store/tools/java/SaveOptimized.java IN.onnx OUT.onnx [IN OUT]...
 */
public class SaveOptimized {
    public static void main(String[] a) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int i = 0; i + 1 < a.length; i += 2) {
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                so.setIntraOpNumThreads(1);
                so.setOptimizedModelFilePath(a[i + 1]);
                try (OrtSession s = env.createSession(a[i], so)) {
                    System.out.println(a[i] + " -> " + a[i + 1]);
                }
            }
        }
    }
}
