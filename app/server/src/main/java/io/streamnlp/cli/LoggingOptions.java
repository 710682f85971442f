package io.streamnlp.cli;

import io.streamnlp.logging.LogSetup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How much every subcommand logs (to stderr). {@link Main} applies it before the command runs; {@code run} adds
 * {@link LogFormatOption}.
 */
public final class LoggingOptions {
    @Option(
            names = {"-v", "--verbose"},
            description =
                    "Log more: our debug messages and the libraries' (Kafka, ONNX Runtime, DJL) info messages, known harmless warnings included.")
    boolean verbose;

    @Option(
            names = {"-q", "--quiet"},
            description = "Log only warnings and errors.")
    boolean quiet;

    LogSetup.Verbosity verbosity() {
        return verbose ? LogSetup.Verbosity.VERBOSE : quiet ? LogSetup.Verbosity.QUIET : LogSetup.Verbosity.NORMAL;
    }

    /** The first mixin of this type on the command, or null. */
    static <T> T of(CommandSpec spec, Class<T> type) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (type.isInstance(mixin.userObject())) {
                return type.cast(mixin.userObject());
            }
        }
        return null;
    }
}
