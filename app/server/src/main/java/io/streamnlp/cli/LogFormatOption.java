package io.streamnlp.cli;

import io.streamnlp.logging.LogSetup;
import picocli.CommandLine.Option;

/** {@code --log-format}: plain text for people, JSON lines for log shippers (a long-running {@code run}). */
public final class LogFormatOption {
    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "text",
            description =
                    "text (default) or json: one JSON object per line with time, level, logger, thread, message and"
                            + " exception (when there is one), for log shippers.")
    LogSetup.Format format;
}
