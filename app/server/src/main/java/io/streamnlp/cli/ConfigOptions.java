package io.streamnlp.cli;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration flags every subcommand shares: file, then environment, then {@code --set}. */
public final class ConfigOptions {
    public static final String DEFAULT_FILE = "config/streamnlp.properties";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Configuration file (default: " + DEFAULT_FILE + " when it exists).")
    Path file;

    @Option(
            names = {"-s", "--set"},
            paramLabel = "KEY=VALUE",
            description = "Override one configuration key (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    public EnricherConfig load() {
        return load(Map.of());
    }

    /** {@code forced} wins over everything (the demo points the processor at its own broker). */
    public EnricherConfig load(Map<String, String> forced) {
        EnricherConfig.Builder b = EnricherConfig.builder();
        Path f = file != null ? file : defaultFile();
        if (file != null && !Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        if (f != null) {
            b.file(f);
        }
        b.env(System.getenv());
        b.setAll(overrides);
        b.setAll(forced);
        return b.build();
    }

    private static Path defaultFile() {
        Path here = Path.of(DEFAULT_FILE);
        if (Files.isRegularFile(here)) {
            return here;
        }
        Path home = Engines.projectHome();
        return home != null && Files.isRegularFile(home.resolve(DEFAULT_FILE)) ? home.resolve(DEFAULT_FILE) : null;
    }
}
