package io.streamnlp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A child JVM for the process tests: a main class on this test's classpath, or a runnable jar
 * ({@code java -jar app/server/target/streamnlp.jar}). Every one gets a large thread stack (ONNX Runtime's native code
 * needs it) and DJL kept offline; the classpath goes in an @argfile, a short command line (onnxruntime 1.29
 * segfaults creating its environment when the java command line is over ~4 KB on a 1 MiB thread stack) that fits
 * any OS. None outlives the test JVM, even when a test fails half-way.
 */
public final class ChildJvm {
    /** Every child started: killed when the test JVM exits, or by {@link #killAll()}. */
    private static final List<Process> STARTED = new ArrayList<>();
    /** Children that outlive a test ({@link Builder#keptAcrossTests()}): killed only when the test JVM exits. */
    private static final List<Process> KEPT = new ArrayList<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            killAll();
                            synchronized (STARTED) {
                                KEPT.forEach(Process::destroyForcibly);
                            }
                        },
                        "kill-child-jvms"));
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** A child that runs {@code mainClass} on this JVM's classpath. */
    public static Builder main(String mainClass) {
        return new Builder(List.of(mainClass), true);
    }

    /** A child that runs a jar ({@code java -jar}). */
    public static Builder jar(Path jar) {
        return new Builder(List.of("-jar", jar.toString()), false);
    }

    /** As {@code main(mainClass).env(env).stdin(stdin).args(args).start()}. */
    public static ChildJvm start(String mainClass, Map<String, String> env, Path stdin, String... args)
            throws IOException {
        return main(mainClass).env(env).stdin(stdin).args(args).start();
    }

    /** SIGKILLs every child still running (a test's clean-up, so a failed test leaves none behind). */
    public static void killAll() {
        synchronized (STARTED) {
            STARTED.forEach(Process::destroyForcibly);
            STARTED.clear();
        }
    }

    /**
     * {@code @ExtendWith(ChildJvm.KillAfterEach.class)}: every child a test left running (it failed half-way) is
     * SIGKILLed when the test ends, so it loads neither the machine nor the broker under the next test.
     */
    public static final class KillAfterEach implements AfterEachCallback {
        @Override
        public void afterEach(ExtensionContext context) {
            killAll();
        }
    }

    public static final class Builder {
        private final List<String> target;
        private final boolean classpath;
        private String heap = "512m";
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path stdin;
        private Path log;
        private boolean kept;

        private Builder(List<String> target, boolean classpath) {
            this.target = target;
            this.classpath = classpath;
        }

        /** -Xmx (512m unless set). */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        public Builder jvmArgs(List<String> more) {
            jvmArgs.addAll(more);
            return this;
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        public Builder args(List<String> more) {
            args.addAll(more);
            return this;
        }

        public Builder env(Map<String, String> more) {
            env.putAll(more);
            return this;
        }

        /** A file for its standard input (none: it inherits an empty one). */
        public Builder stdin(Path file) {
            this.stdin = file;
            return this;
        }

        /** Its stdout and stderr together in this file (otherwise each in a temporary file of its own). */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /**
         * Not killed by {@link #killAll()} (so not by {@link KillAfterEach} either): a fixture a test class shares
         * across its tests, such as a broker in a process of its own, which the class stops itself. It is still killed
         * when the test JVM exits.
         */
        public Builder keptAcrossTests() {
            this.kept = true;
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss8m", "-Xmx" + heap));
            cmd.addAll(jvmArgs);
            if (classpath) {
                Path argfile = Files.createTempFile("child-jvm", ".args");
                argfile.toFile().deleteOnExit();
                String cp = System.getProperty("java.class.path");
                Files.writeString(argfile, "-cp \"" + cp.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
                cmd.add("@" + argfile);
            }
            cmd.addAll(target);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("DJL_OFFLINE", "true");
            pb.environment().put("OPT_OUT_TRACKING", "true");
            pb.environment().putAll(env);
            Path out = log != null ? log : Files.createTempFile("child-jvm", ".out");
            Path err = log != null ? null : Files.createTempFile("child-jvm", ".err");
            pb.redirectOutput(out.toFile());
            if (err == null) {
                pb.redirectErrorStream(true);
            } else {
                pb.redirectError(err.toFile());
            }
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            }
            synchronized (STARTED) {
                Process p = pb.start();
                (kept ? KEPT : STARTED).add(p);
                return new ChildJvm(p, out, err);
            }
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for exit; returns the exit code, or kills the process and throws on timeout. */
    public int waitFor(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not exit within " + seconds + " s; output:\n" + tail());
        }
        return process.exitValue();
    }

    /** Waits for exit; the exit code, or -1 on timeout (the process left running). */
    public int await(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM, without waiting. */
    public void terminate() {
        process.destroy();
    }

    /** Stops it (SIGTERM, then SIGKILL after 10 s). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGKILL, and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Its standard output (with its stderr when both go to one {@link Builder#log(Path) log}). */
    public String stdout() {
        return read(stdout);
    }

    /** Its standard error ("" when it goes to the one {@link Builder#log(Path) log}). */
    public String stderr() {
        return stderr == null ? "" : read(stderr);
    }

    /** Everything it printed. */
    public String output() {
        return stdout() + stderr();
    }

    /** The last 4000 characters it printed, for failure messages. */
    public String tail() {
        String s = output();
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** Waits for a streamnlp processor's stream to reach RUNNING (its log says so); false when it died or time ran out. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains("-> RUNNING")) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
