package io.streamnlp.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The effective configuration: defaults ({@link ConfigKeys}), then the properties file, then
 * environment variables ({@code STREAMNLP_BATCH_MAX_WAIT_MS} sets {@code batch.max.wait.ms}), then
 * explicit overrides (CLI flags). Unknown keys fail: a typo must not silently fall back to a default.
 * {@link Builder#build()} checks every value against its definition ({@link ConfigKeys#DEFINITIONS}) and
 * reports every problem at once, so the typed getters below only read values already known to be good.
 */
public final class EnricherConfig {
    public static final String ENV_PREFIX = "STREAMNLP_";
    private static final Pattern SECRET =
            Pattern.compile("(?i).*(password|secret|jaas|token|credential|key\\.pass|keystore\\.key).*");

    private final Map<String, String> values;
    /** The keys given by a file, the environment or a setting (the rest hold their defaults). */
    private final Set<String> given;

    private EnricherConfig(Map<String, String> values, Set<String> given) {
        this.values = values;
        this.given = given;
    }

    /** True when {@code key} was given (by a file, the environment or a setting), even at its default value. */
    public boolean isGiven(String key) {
        return given.contains(key);
    }

    /** Defaults only. */
    public static EnricherConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String get(String key) {
        if (!values.containsKey(key)) {
            throw new ConfigException("unknown configuration key '" + key + "'");
        }
        return values.get(key);
    }

    public String getOrNull(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ConfigException(key + "=" + v + " is not an integer");
        }
        return (int) v;
    }

    public int getPositiveInt(String key) {
        int v = getInt(key);
        if (v <= 0) {
            throw new ConfigException(key + "=" + v + " must be greater than 0");
        }
        return v;
    }

    /** An integer in [min, max]; the message names the key, the bounds and why when {@code why} is given. */
    public int getInt(String key, int min, int max, String why) {
        return (int) getLong(key, min, max, why);
    }

    /** A long in [min, max]; the message names the key and the bounds. */
    public long getLong(String key, long min, long max, String why) {
        long v = getLong(key);
        String problem = ConfigDef.between(min, max, why).problem(key, get(key), v);
        if (problem != null) {
            throw new ConfigException(problem);
        }
        return v;
    }

    public long getLong(String key) {
        return ConfigDef.parseLong(key, get(key));
    }

    public boolean getBoolean(String key) {
        return ConfigDef.parseBoolean(key, get(key));
    }

    /** Choice from a fixed set (case-insensitive), returned lower-case. */
    public String getChoice(String key, String... allowed) {
        String v = get(key).trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new ConfigException(key + "=" + v + " must be one of " + String.join(", ", allowed));
    }

    /** The {@code kafka.*} pass-through settings, prefix removed. */
    public Map<String, String> kafkaOverrides() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(ConfigKeys.KAFKA_PREFIX)) {
                out.put(k.substring(ConfigKeys.KAFKA_PREFIX.length()), v);
            }
        });
        return out;
    }

    /** Every effective value, sorted, secrets masked: what {@code run --print-config} shows. */
    public Map<String, String> masked() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, isSecret(k) ? "********" : v));
        return out;
    }

    /** Only pass-through client settings can hold secrets: our own keys (batch.max.tokens!) never do. */
    public static boolean isSecret(String key) {
        return !ConfigKeys.DEFINITIONS.containsKey(key) && SECRET.matcher(key).matches();
    }

    public Map<String, String> asMap() {
        return new TreeMap<>(values);
    }

    /** Collects layers in precedence order; {@link #build()} validates every key. */
    public static final class Builder {
        private final Map<String, String> values = new TreeMap<>();
        private final Set<String> given = new TreeSet<>();
        /** Unknown keys met so far: reported by {@link #build()} together with the bad values. */
        private final List<String> unknown = new ArrayList<>();

        private Builder() {
            ConfigKeys.DEFINITIONS.keys().forEach(k -> values.put(k.name(), k.defaultValue()));
        }

        public Builder file(Path path) {
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("configuration file " + path + " does not exist");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("cannot read configuration file " + path + ": " + e.getMessage(), e);
            }
            for (String k : p.stringPropertyNames()) {
                put(k, p.getProperty(k), "in " + path);
            }
            return this;
        }

        /** Applies {@code STREAMNLP_*} variables: {@code STREAMNLP_TOPIC_INPUT=x} sets {@code topic.input}. */
        public Builder env(Map<String, String> env) {
            env.forEach((name, value) -> {
                if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                    String key = name.substring(ENV_PREFIX.length())
                            .toLowerCase(Locale.ROOT)
                            .replace('_', '.');
                    put(key, value, "from environment variable " + name);
                }
            });
            return this;
        }

        public Builder set(String key, String value) {
            put(key, value, "");
            return this;
        }

        public Builder setAll(Map<String, String> overrides) {
            overrides.forEach(this::set);
            return this;
        }

        private void put(String key, String value, String where) {
            String k = key.trim();
            if (!k.startsWith(ConfigKeys.KAFKA_PREFIX) && !ConfigKeys.DEFINITIONS.containsKey(k)) {
                unknown.add("unknown configuration key '" + k + "'" + (where.isEmpty() ? "" : " " + where)
                        + suggestion(k) + " (Kafka client settings go under 'kafka.', e.g. kafka.security.protocol)");
                return;
            }
            values.put(k, value == null ? "" : value.trim());
            given.add(k);
        }

        private static String suggestion(String key) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String known : ConfigKeys.DEFINITIONS.keySet()) {
                int d = distance(key, known);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = known;
                }
            }
            return bestDistance <= 3 ? "; did you mean '" + best + "'?" : "";
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) prev[j] = j;
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }

        /** The configuration, or one {@link ConfigException} naming every unknown key and every bad value. */
        public EnricherConfig build() {
            List<String> problems = new ArrayList<>(unknown);
            problems.addAll(ConfigKeys.DEFINITIONS.validate(values));
            if (!problems.isEmpty()) {
                throw ConfigException.of(problems);
            }
            return new EnricherConfig(new TreeMap<>(values), Set.copyOf(given));
        }
    }
}
