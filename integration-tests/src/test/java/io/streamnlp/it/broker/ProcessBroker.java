package io.streamnlp.it.broker;

import io.streamnlp.local.EmbeddedKafka;
import io.streamnlp.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The in-JVM KRaft broker ({@link EmbeddedKafka}) run in a child JVM of its own, as an operator runs a broker: nothing
 * the test JVM does (a GC pause, the CPU its in-process consumers take) stalls the broker, and the processes a fault
 * test SIGKILLs share nothing with it. Stopped with SIGTERM (its data folder is deleted then), killed with the test JVM
 * at the latest.
 */
public final class ProcessBroker extends TestBroker {
    private static final String READY = "test broker listening at ";
    private static final Pattern READY_LINE = Pattern.compile(Pattern.quote(READY) + "(\\S+)");

    private final ChildJvm process;

    private ProcessBroker(ChildJvm process, String bootstrapServers) {
        super("process", bootstrapServers, () -> stop(process));
        this.process = process;
    }

    /** Starts a broker process with {@code settings} (broker property names) and waits until it serves. */
    static ProcessBroker start(Map<String, String> settings) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "it-broker").toAbsolutePath());
            Path log = Files.createTempFile(logs, "broker-", ".log");
            List<String> args = new ArrayList<>();
            settings.forEach((k, v) -> args.add(k + "=" + v));
            ChildJvm p = ChildJvm.main(ProcessBroker.class.getName())
                    .heap("512m")
                    .jvmArgs(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))
                    .args(args)
                    .log(log)
                    .keptAcrossTests()
                    .start();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                Matcher m = READY_LINE.matcher(p.output());
                if (m.find()) {
                    return new ProcessBroker(p, m.group(1));
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            p.kill();
            throw new IllegalStateException("the broker process did not start (log " + log + "):\n" + p.tail());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void stop(ChildJvm process) {
        try {
            process.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The broker process: {@code key=value} broker settings as arguments; runs until it is terminated. */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            settings.put(a.substring(0, eq), a.substring(eq + 1));
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            kafka.close();
                            stopped.countDown();
                        },
                        "stop-broker"));
        System.out.println(READY + kafka.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
