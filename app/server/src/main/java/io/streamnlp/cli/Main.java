package io.streamnlp.cli;

import io.streamnlp.app.StartupFailureException;
import io.streamnlp.config.ConfigException;
import io.streamnlp.logging.LogSetup;
import io.streamnlp.model.BundleException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamnlp} command line: one executable, a subcommand per job. */
@Command(
        name = "streamnlp",
        mixinStandardHelpOptions = true,
        version = "streamnlp 0.1.0",
        description = "Kafka Streams real-time NLP enrichment: named entities and topics for every text record.",
        subcommands = {
            RunCommand.class,
            DemoCommand.class,
            EvalCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            ModelsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    /** Exit code for bad configuration or a bad model bundle (found at start-up). */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for a runtime failure (broker unreachable, stream failed). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        utf8StandardStreams();
        System.exit(execute(args));
    }

    /**
     * stdout and stderr as UTF-8, whatever the platform charset: Java 17 takes it from the locale, and a container
     * with none (nvidia/cuda sets no LANG) would print {@code Z?rich}. Only the process's entry point does this; an
     * in-process caller keeps its own streams.
     */
    static void utf8StandardStreams() {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }

    public static int execute(String... args) {
        // DJL must never reach for the network: bundles are local folders.
        System.setProperty("DJL_OFFLINE", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // picocli's own writers (help, usage errors, our error lines) in UTF-8 on the current streams
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cli.setExecutionStrategy(Main::withLogging);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigException || ex instanceof BundleException) {
                error(cmd.getErr(), ex.getMessage(), null);
                return EXIT_CONFIG;
            }
            if (ex instanceof StartupFailureException) {
                error(cmd.getErr(), ex.getMessage(), null);
                return EXIT_FAILURE;
            }
            error(cmd.getErr(), ex.toString(), ex);
            return EXIT_FAILURE;
        });
        try {
            return cli.execute(args);
        } finally {
            LogSetup.reset();
        }
    }

    /** Applies the command's logging options (the {@link LoggingOptions} and {@link LogFormatOption} mixins), then runs it. */
    private static int withLogging(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        LoggingOptions logging = LoggingOptions.of(leaf.commandSpec(), LoggingOptions.class);
        LogFormatOption format = LoggingOptions.of(leaf.commandSpec(), LogFormatOption.class);
        if (logging != null && logging.verbose && logging.quiet) {
            throw new CommandLine.ParameterException(
                    leaf.commandSpec().commandLine(), "--verbose and --quiet exclude each other");
        }
        LogSetup.apply(
                logging == null ? LogSetup.Verbosity.NORMAL : logging.verbosity(),
                format == null ? LogSetup.Format.TEXT : format.format);
        return new CommandLine.RunLast().execute(parsed);
    }

    /**
     * A command's final error line: {@code error: ...} on stderr, or, when logs are JSON lines, an ERROR event, so that
     * a log shipper reading stderr gets nothing but JSON.
     */
    static void error(PrintWriter err, String message, Throwable cause) {
        if (LogSetup.json()) {
            LoggerFactory.getLogger(Main.class).error(message, cause);
        } else {
            err.println("error: " + message);
        }
    }

    static void error(PrintStream err, String message) {
        if (LogSetup.json()) {
            LoggerFactory.getLogger(Main.class).error(message);
        } else {
            err.println("error: " + message);
        }
    }
}
