package io.streamnlp.cli;

import io.streamnlp.config.ConfigException;
import io.streamnlp.model.BundleException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamnlp} command line: one executable, a subcommand per job. */
@Command(name = "streamnlp", mixinStandardHelpOptions = true, version = "streamnlp 0.1.0",
        description = "Kafka Streams real-time NLP enrichment: named entities and topics for every text record.",
        subcommands = {RunCommand.class, DemoCommand.class, EvalCommand.class, ProduceCommand.class, TailCommand.class,
                ModelsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for bad configuration or a bad model bundle (found at start-up). */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for a runtime failure (broker unreachable, stream failed). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        // DJL must never reach for the network: bundles are local folders.
        System.setProperty("DJL_OFFLINE", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigException || ex instanceof BundleException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return EXIT_CONFIG;
            }
            if (ex instanceof io.streamnlp.app.ClusterUnreachableException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return EXIT_FAILURE;
            }
            cmd.getErr().println("error: " + ex);
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }
}
