package io.streamnlp.bench;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The processor as a deployment runs it: {@code streamnlp run} in a JVM of its own, so that the broker and the
 * load driver (left in the bench's JVM) do not share its process. The bench reads what the processor alone spent:
 * its CPU time (the OS's account of the child process) and the part of it spent inside ONNX Runtime's session runs
 * ({@code streamnlp_inference_cpu_seconds_total} on its metrics endpoint).
 */
final class ExternalProcessor implements AutoCloseable {
    static final String INFERENCE_CPU_METRIC = "streamnlp_inference_cpu_seconds_total";

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ExternalProcessor(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** What the processor process spent between two marks. */
    record Cpu(double processSeconds, double inferenceSeconds) {
        Cpu minus(Cpu earlier) {
            return new Cpu(processSeconds - earlier.processSeconds, inferenceSeconds - earlier.inferenceSeconds);
        }

        /** The share of the process's CPU time spent inside ONNX Runtime session runs, 0..1. */
        double inferenceShare() {
            return processSeconds > 0 ? inferenceSeconds / processSeconds : 0;
        }
    }

    /**
     * Starts {@code streamnlp run} with every key of {@code config} (so it runs exactly the configuration the
     * in-process pipeline rows use) and waits until it reports ready.
     *
     * @param jfr where the process writes a Java Flight Recording (profile settings) when it stops, or null
     */
    /** Environment variable: more JVM options for the processor's JVM, space-separated (not STREAMNLP_*: that prefix is configuration). */
    static final String PROCESSOR_JAVA_OPTS = "BENCH_PROCESSOR_JAVA_OPTS";

    static ExternalProcessor start(EnricherConfig config, Duration timeout, Path jfr) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xss8m"); // ONNX Runtime's environment wants a deep native stack (see the launcher)
        if (jfr != null) { // a profile of the processor alone, for what the bench's CPU rows leave outside ONNX Runtime
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr.toAbsolutePath());
        }
        // more JVM options for the processor alone (app/scripts/profile.sh puts a profiling agent here)
        String extra = System.getenv(PROCESSOR_JAVA_OPTS);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.streamnlp.cli.Main");
        cmd.add("run");
        cmd.add("--quiet");
        Map<String, String> settings = new TreeMap<>(config.asMap());
        settings.put(ConfigKeys.METRICS_ENABLED, "true");
        settings.put(ConfigKeys.METRICS_PORT, Integer.toString(port));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            cmd.add("--set");
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        Path log = Files.createTempFile("streamnlp-bench-processor", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        ExternalProcessor p = new ExternalProcessor(pb.start(), log, port);
        try {
            p.awaitReady(timeout);
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
        return p;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the processor process exited with " + process.exitValue()
                        + " before it was ready; its log: " + log + "\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(endpoint("/ready"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // its HTTP server is not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "the processor process was not ready after " + timeout + "; its log: " + log + "\n" + tail());
    }

    /** CPU time so far: the process's (user + system, from the OS) and its session runs' (from its metrics). */
    Cpu cpu() throws Exception {
        double process = this.process
                        .info()
                        .totalCpuDuration()
                        .orElseThrow(
                                () -> new IllegalStateException("this OS does not report a child process's CPU time"))
                        .toNanos()
                / 1e9;
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(endpoint("/metrics"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Cpu(process, metric(r.body(), INFERENCE_CPU_METRIC));
    }

    /** The sum of a Prometheus metric's samples (every tag set), or NaN when the text has none. */
    static double metric(String prometheusText, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                String[] parts = line.trim().split("\\s+");
                sum += Double.parseDouble(parts[parts.length - 1]);
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    private URI endpoint(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A clean stop (SIGTERM: the processor commits and leaves its group), forced after 60 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
