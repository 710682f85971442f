package io.streamnlp.config;

import java.util.List;

/**
 * A configuration that cannot work; the message names the key and what is wrong with it, or, when several
 * values are wrong, lists them all (one per line, {@link #problems()}), so that one run shows every fix to make.
 */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(message);
    }

    private ConfigException(List<String> problems) {
        super(
                problems.size() == 1
                        ? problems.get(0)
                        : problems.size() + " configuration problems:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One exception for every problem found (at least one). */
    public static ConfigException of(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        return new ConfigException(problems);
    }

    /** Each problem, naming its key (and value); one for an exception about one thing. */
    public List<String> problems() {
        return problems;
    }
}
