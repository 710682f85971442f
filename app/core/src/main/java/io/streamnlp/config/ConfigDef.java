package io.streamnlp.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed definitions of configuration keys, in the manner of Kafka's {@code ConfigDef}: each key has a type, a
 * default, a validator, an importance and its documentation. Our own class rather than Kafka's: values arrive as
 * strings from a file, {@code STREAMNLP_*} variables and {@code --set}, unknown keys are refused (Kafka only warns),
 * {@code kafka.*} keys pass through untouched, and {@link #validate} reports every problem at once, each naming the
 * key and its value in the words our error lines have always used.
 */
public final class ConfigDef {
    /** What a value parses to; {@link #parse} throws a {@link ConfigException} naming the key. */
    public enum Type {
        BOOLEAN("boolean"),
        INT("int"),
        LONG("long"),
        STRING("string"),
        PATH("path");

        private final String docName;

        Type(String docName) {
            this.docName = docName;
        }

        /** The parsed value: Boolean, Long (INT too, so a range can name an out-of-int value), or the trimmed String. */
        public Object parse(String key, String value) {
            String v = value == null ? "" : value.trim();
            return switch (this) {
                case BOOLEAN -> parseBoolean(key, v);
                case INT, LONG -> parseLong(key, v);
                case STRING, PATH -> v;
            };
        }
    }

    /** How much a key matters to someone setting up a deployment (what the properties file says about it). */
    public enum Importance {
        HIGH,
        MEDIUM,
        LOW
    }

    /** Checks a parsed value; returns the problem (naming the key and value) or null. */
    public interface Validator {
        String problem(String key, String raw, Object parsed);

        /** The allowed values, for the documentation. */
        String describe();
    }

    /** One key. */
    public record Key(
            String name, Type type, String defaultValue, Validator validator, Importance importance, String doc) {
        /** One line for the properties file: the type, what is allowed, the importance. */
        public String typeLine() {
            String allowed = validator == null ? "" : ", " + validator.describe();
            return "Type: " + type.docName + allowed + ". Importance: "
                    + importance.name().toLowerCase(Locale.ROOT) + ".";
        }
    }

    /** A check over several keys, run once every key it reads holds a valid value; returns the problem or null. */
    public record CrossCheck(List<String> keys, Function<Map<String, Object>, String> check) {}

    private final Map<String, Key> keys = new LinkedHashMap<>();
    private final List<CrossCheck> crossChecks = new ArrayList<>();

    public ConfigDef define(
            String name, Type type, String defaultValue, Validator validator, Importance importance, String doc) {
        if (keys.containsKey(name)) {
            throw new IllegalStateException("configuration key " + name + " defined twice");
        }
        Key key = new Key(name, type, defaultValue, validator, importance, doc);
        List<String> problems = new ArrayList<>();
        check(key, defaultValue, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("default of " + name + " is invalid: " + problems);
        }
        keys.put(name, key);
        return this;
    }

    public ConfigDef define(String name, Type type, String defaultValue, Importance importance, String doc) {
        return define(name, type, defaultValue, null, importance, doc);
    }

    /** Adds a check over {@code keys} (all defined): run by {@link #validate} only when each of them is valid alone. */
    public ConfigDef crossCheck(Function<Map<String, Object>, String> check, String... keys) {
        for (String k : keys) {
            if (!this.keys.containsKey(k)) {
                throw new IllegalStateException("cross check on undefined key " + k);
            }
        }
        crossChecks.add(new CrossCheck(List.of(keys), check));
        return this;
    }

    public boolean containsKey(String name) {
        return keys.containsKey(name);
    }

    public Key get(String name) {
        return keys.get(name);
    }

    /** Every key, in the documented order. */
    public Set<String> keySet() {
        return Collections.unmodifiableSet(keys.keySet());
    }

    public List<Key> keys() {
        return List.copyOf(keys.values());
    }

    /** Each key as a properties-file section: its doc and type line as comments, then key=default; a blank line between. */
    public String toProperties() {
        StringBuilder sb = new StringBuilder();
        for (Key k : keys.values()) {
            sb.append("\n# ")
                    .append(k.doc())
                    .append("\n# ")
                    .append(k.typeLine())
                    .append('\n')
                    .append(k.name())
                    .append('=')
                    .append(k.defaultValue())
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * Every problem in {@code values} (our keys; others are ignored): each key's type and validator in the
     * documented order, then the cross-key checks whose keys are all valid. Empty when the values are good.
     */
    public List<String> validate(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (Key key : keys.values()) {
            String raw = values.getOrDefault(key.name(), key.defaultValue());
            Object v = check(key, raw, problems);
            if (v != null) {
                parsed.put(key.name(), v);
            }
        }
        for (CrossCheck c : crossChecks) {
            if (parsed.keySet().containsAll(c.keys())) {
                String problem = c.check().apply(Collections.unmodifiableMap(parsed));
                if (problem != null) {
                    problems.add(problem);
                }
            }
        }
        return problems;
    }

    /** The parsed value, or null with the problem added. */
    private static Object check(Key key, String raw, List<String> problems) {
        Object v;
        try {
            v = key.type().parse(key.name(), raw);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return null;
        }
        String problem = key.validator() == null ? null : key.validator().problem(key.name(), String.valueOf(v), v);
        if (problem == null
                && key.type() == Type.INT
                && ((Long) v < Integer.MIN_VALUE || (Long) v > Integer.MAX_VALUE)) {
            problem = key.name() + "=" + v + " is out of the range of an int";
        }
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        return v;
    }

    static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + v.trim() + " is not an integer");
        }
    }

    static boolean parseBoolean(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException(key + "=" + v + " must be true or false");
    }

    // ---- validators ----

    /** An integer in [min, max]; {@code why}, when given, says where the bound comes from. */
    public static Validator between(long min, long max, String why) {
        return new Validator() {
            @Override
            public String problem(String key, String raw, Object parsed) {
                long v = (Long) parsed;
                return v < min || v > max
                        ? key + "=" + v + " must be " + rangeWords(min, max) + (why == null ? "" : " (" + why + ")")
                        : null;
            }

            @Override
            public String describe() {
                String range =
                        max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
                return range + (why == null ? "" : " (" + why + ")");
            }
        };
    }

    public static Validator atLeast(long min) {
        return between(min, Integer.MAX_VALUE, null);
    }

    /** The words a bound has always been reported in. */
    static String rangeWords(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
    }

    /** One of a fixed set, case-insensitive. */
    public static Validator oneOf(String... allowed) {
        return choice(null, allowed);
    }

    /** One of a fixed set, case-insensitive, or empty (meaning {@code emptyMeans}). */
    public static Validator oneOfOrEmpty(String emptyMeans, String... allowed) {
        return choice(emptyMeans, allowed);
    }

    private static Validator choice(String emptyMeans, String... allowed) {
        List<String> options = List.of(allowed);
        return new Validator() {
            @Override
            public String problem(String key, String raw, Object parsed) {
                String v = ((String) parsed).toLowerCase(Locale.ROOT);
                if (options.contains(v) || (emptyMeans != null && v.isEmpty())) {
                    return null;
                }
                return key + "=" + v + " must be one of " + String.join(", ", options)
                        + (emptyMeans == null ? "" : " (or empty: " + emptyMeans + ")");
            }

            @Override
            public String describe() {
                return "one of " + String.join(" | ", options)
                        + (emptyMeans == null ? "" : ", or empty (" + emptyMeans + ")");
            }
        };
    }

    /** A value that must not be empty; {@code what} says what to set. */
    public static Validator nonEmpty(String what) {
        return new Validator() {
            @Override
            public String problem(String key, String raw, Object parsed) {
                return ((String) parsed).isEmpty() ? key + " is empty: set " + what : null;
            }

            @Override
            public String describe() {
                return "not empty";
            }
        };
    }
}
