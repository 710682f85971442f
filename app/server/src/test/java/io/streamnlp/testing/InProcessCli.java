package io.streamnlp.testing;

import io.streamnlp.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the CLI ({@link Main#execute}) in this JVM, capturing what it prints. One at a time: it swaps the JVM's
 * {@code System.out} and {@code System.err}.
 */
public final class InProcessCli {
    private InProcessCli() {}

    /** What a command returned and printed, and how long it took. */
    public record Result(int code, String out, String err, long millis) {}

    public static synchronized Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            System.setOut(po);
            System.setErr(pe);
            int code = Main.execute(args);
            return new Result(
                    code,
                    o.toString(StandardCharsets.UTF_8),
                    e.toString(StandardCharsets.UTF_8),
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
