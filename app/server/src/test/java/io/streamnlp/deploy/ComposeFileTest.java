package io.streamnlp.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine here, so the compose files and Dockerfiles are checked against the code:
 * services and their start order, pinned images, ports, the model-store mount, every STREAMNLP_*
 * variable naming a real configuration key, topic names, and the GPU device reservation.
 */
class ComposeFileTest {
    static final Path ROOT = Path.of("..", "..");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode read(String file) throws IOException {
        return YAML.readTree(ROOT.resolve(file).toFile());
    }

    static JsonNode service(JsonNode compose, String name) {
        JsonNode s = compose.path("services").path(name);
        assertTrue(s.isObject(), "service " + name + " is missing");
        return s;
    }

    /** environment: as a map or as a list of KEY=VALUE. */
    static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service.path("environment");
        if (e.isArray()) {
            e.forEach(kv -> {
                String[] p = kv.asText().split("=", 2);
                env.put(p[0], p.length > 1 ? p[1] : "");
            });
        } else {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
        }
        return env;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (!node.isMissingNode()) {
            out.add(node.asText());
        }
        return out;
    }

    static void assertDependsOn(JsonNode service, String on, String condition) {
        assertEquals(
                condition,
                service.path("depends_on").path(on).path("condition").asText(),
                "depends_on " + on + " with condition " + condition);
    }

    @Test
    void servicesStartInOrderOnHealthyDependencies() throws IOException {
        JsonNode c = read("docker-compose.yml");
        JsonNode kafka = service(c, "kafka");
        JsonNode topics = service(c, "create-topics");
        JsonNode enricher = service(c, "enricher");
        JsonNode producer = service(c, "example-producer");
        JsonNode consumer = service(c, "example-consumer");
        assertFalse(strings(kafka.path("healthcheck").path("test")).isEmpty(), "kafka has a health check");
        assertFalse(strings(enricher.path("healthcheck").path("test")).isEmpty(), "enricher has a health check");
        assertTrue(String.join(" ", strings(enricher.path("healthcheck").path("test")))
                .contains("/ready"));
        assertDependsOn(topics, "kafka", "service_healthy");
        assertDependsOn(enricher, "kafka", "service_healthy");
        assertDependsOn(enricher, "create-topics", "service_completed_successfully");
        assertDependsOn(producer, "enricher", "service_healthy");
        assertDependsOn(consumer, "create-topics", "service_completed_successfully");
        assertEquals(List.of("run"), strings(enricher.path("command")));
    }

    @Test
    void imagesArePinnedAndKafkaIsA4xKraftBroker() throws IOException {
        JsonNode c = read("docker-compose.yml");
        c.path("services").fields().forEachRemaining(s -> {
            String image = s.getValue().path("image").asText();
            assertFalse(image.isEmpty(), s.getKey() + " names its image");
            assertTrue(image.matches("[a-z0-9./-]+:[0-9][\\w.-]*"), s.getKey() + " pins a version tag: " + image);
        });
        for (String name : List.of("kafka", "create-topics", "example-producer", "example-consumer")) {
            assertTrue(service(c, name).path("image").asText().matches("apache/kafka:4\\.\\d+\\.\\d+"), name);
        }
        Map<String, String> kafka = env(service(c, "kafka"));
        assertEquals("broker,controller", kafka.get("KAFKA_PROCESS_ROLES"));
        assertTrue(kafka.get("KAFKA_ADVERTISED_LISTENERS").contains("kafka:19092"));
        assertEquals(
                "1",
                kafka.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"),
                "exactly-once needs the transaction log on one broker");
    }

    @Test
    void portsExposeTheBrokerAndTheMetricsPortTheEnricherServes() throws IOException {
        JsonNode c = read("docker-compose.yml");
        assertTrue(strings(service(c, "kafka").path("ports")).contains("9092:9092"));
        JsonNode enricher = service(c, "enricher");
        String port = env(enricher).get("STREAMNLP_METRICS_PORT");
        assertTrue(strings(enricher.path("ports")).contains(port + ":" + port), "metrics port " + port + " published");
        assertTrue(String.join(" ", strings(enricher.path("healthcheck").path("test")))
                .contains(":" + port + "/"));
    }

    @Test
    void everyEnricherVariableIsARealKeyAndTopicsMatchTheDefaults() throws IOException {
        JsonNode c = read("docker-compose.yml");
        Map<String, String> env = env(service(c, "enricher"));
        Map<String, String> streamnlp = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(EnricherConfig.ENV_PREFIX)) {
                streamnlp.put(k, v);
            }
        });
        assertTrue(streamnlp.size() >= 5, "the enricher is configured through STREAMNLP_* variables");
        // build() rejects an unknown key: a typo in the compose file fails here, not at start-up.
        EnricherConfig config = EnricherConfig.builder().env(streamnlp).build();
        streamnlp.keySet().forEach(k -> {
            String key = k.substring(EnricherConfig.ENV_PREFIX.length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '.');
            assertTrue(ConfigKeys.DEFINITIONS.containsKey(key), k + " names a documented key");
        });
        assertEquals("kafka:19092", config.get(ConfigKeys.BOOTSTRAP_SERVERS));
        String script = String.join("\n", strings(service(c, "create-topics").path("command")));
        for (String key : List.of(
                ConfigKeys.TOPIC_INPUT, ConfigKeys.TOPIC_ENTITIES, ConfigKeys.TOPIC_TOPICS, ConfigKeys.TOPIC_DLQ)) {
            String dflt = ConfigKeys.DEFINITIONS.get(key).defaultValue();
            assertEquals(dflt, config.get(key), key);
            assertTrue(script.contains(dflt), "create-topics creates " + dflt);
        }
        assertTrue(script.contains("--if-not-exists"));
        String entities = ConfigKeys.DEFINITIONS.get(ConfigKeys.TOPIC_ENTITIES).defaultValue();
        List<String> consumer = strings(service(c, "example-consumer").path("command"));
        assertTrue(consumer.contains(entities), "example consumer reads " + entities);
        assertEquals("read_committed", consumer.get(consumer.indexOf("--isolation-level") + 1));
        String producer =
                String.join(" ", strings(service(c, "example-producer").path("command")));
        assertTrue(
                producer.contains("--topic "
                        + ConfigKeys.DEFINITIONS.get(ConfigKeys.TOPIC_INPUT).defaultValue()),
                producer);
    }

    @Test
    void modelStoreIsMountedReadOnlyWhereTheModelKeysPoint() throws IOException {
        JsonNode enricher = service(read("docker-compose.yml"), "enricher");
        String mount = strings(enricher.path("volumes")).stream()
                .filter(v -> v.startsWith("./model-store:"))
                .findFirst()
                .orElseGet(() -> fail("no ./model-store volume"));
        String[] parts = mount.split(":");
        assertEquals("ro", parts[2], "model store is read-only");
        assertTrue(Files.isDirectory(ROOT.resolve("model-store")));
        Map<String, String> env = env(enricher);
        assertTrue(env.get("STREAMNLP_NER_MODEL").startsWith(parts[1] + "/"), "ner.model inside the mount");
        assertTrue(env.get("STREAMNLP_TOPIC_MODEL").startsWith(parts[1] + "/"), "topic.model inside the mount");
    }

    @Test
    void dockerfilesExistBuildANonRootImageAndTheGpuOneUsesCuda() throws IOException {
        Map<String, JsonNode> builds = Map.of(
                "docker-compose.yml",
                service(read("docker-compose.yml"), "enricher").path("build"),
                "docker-compose.gpu.yml",
                service(read("docker-compose.gpu.yml"), "enricher").path("build"));
        builds.forEach((file, build) -> {
            Path dockerfile = ROOT.resolve(build.path("context").asText("."))
                    .resolve(build.path("dockerfile").asText("Dockerfile"));
            assertTrue(Files.isRegularFile(dockerfile), file + " builds " + dockerfile + ", which must exist");
        });
        String cpu = Files.readString(ROOT.resolve("Dockerfile"));
        String gpu = Files.readString(ROOT.resolve("Dockerfile.gpu"));
        for (String d : List.of(cpu, gpu)) {
            assertTrue(d.contains("AS build"), "multi-stage");
            assertTrue(d.matches("(?s).*\\nUSER (?!root|0\\b)\\S+.*"), "runs as a non-root user");
            assertTrue(d.contains("COPY model-store /app/model-store"), "bundles baked in");
        }
        assertTrue(cpu.contains("FROM eclipse-temurin:17-jre"));
        assertTrue(
                gpu.matches("(?s).*FROM nvidia/cuda:12\\.[\\d.]+-cudnn-runtime-ubuntu22\\.04.*"),
                "CUDA 12 + cuDNN runtime base");
        assertTrue(gpu.contains("-Pgpu"), "built with the onnxruntime_gpu profile");
        assertTrue(
                Files.readString(ROOT.resolve("pom.xml")).contains("<id>gpu</id>"),
                "the parent pom has the gpu profile");
        assertTrue(Files.isRegularFile(ROOT.resolve(".dockerignore")));
    }

    @Test
    void gpuOverrideReservesAnNvidiaDeviceAndSelectsCuda() throws IOException {
        JsonNode enricher = service(read("docker-compose.gpu.yml"), "enricher");
        JsonNode devices =
                enricher.path("deploy").path("resources").path("reservations").path("devices");
        assertTrue(devices.isArray() && devices.size() == 1, "one device reservation");
        assertEquals("nvidia", devices.get(0).path("driver").asText());
        assertTrue(strings(devices.get(0).path("capabilities")).contains("gpu"));
        Map<String, String> env = env(enricher);
        assertEquals("cuda", EnricherConfig.builder().env(env).build().get(ConfigKeys.INFERENCE_DEVICE));
    }

    @Test
    void theBrokerKeepsItsDataOnANamedVolumeAsTheEnricherKeepsItsState() throws IOException {
        JsonNode c = read("docker-compose.yml");
        JsonNode kafka = service(c, "kafka");
        String logDirs = env(kafka).get("KAFKA_LOG_DIRS");
        assertTrue(
                logDirs != null && !logDirs.startsWith("/tmp"),
                "the broker's log.dirs is set, not in /tmp: " + logDirs);
        String mount = strings(kafka.path("volumes")).stream()
                .filter(v -> v.endsWith(":" + logDirs))
                .findFirst()
                .orElseGet(() -> fail("no volume at the broker's KAFKA_LOG_DIRS " + logDirs));
        String volume = mount.substring(0, mount.indexOf(':'));
        assertTrue(c.path("volumes").has(volume), "a named volume (removed only by down -v): " + volume);
        String state = strings(service(c, "enricher").path("volumes")).stream()
                .filter(v -> v.endsWith(":" + env(service(c, "enricher")).get("STREAMNLP_STATE_DIR")))
                .findFirst()
                .orElseGet(() -> fail("the enricher's state.dir is on a volume"));
        assertTrue(c.path("volumes").has(state.substring(0, state.indexOf(':'))), "the enricher's too: " + state);
    }

    @Test
    void noJavaToolOptionsAndTheEnrichersHeapFitsItsMemoryLimit() throws IOException {
        for (String file : List.of("docker-compose.yml", "docker-compose.gpu.yml")) {
            read(file)
                    .path("services")
                    .fields()
                    .forEachRemaining(s -> assertFalse(
                            env(s.getValue()).containsKey("JAVA_TOOL_OPTIONS"),
                            file + ": " + s.getKey() + " sets JAVA_TOOL_OPTIONS, which every JVM announces on stderr"));
        }
        JsonNode enricher = service(read("docker-compose.yml"), "enricher");
        String limit = enricher.path("deploy")
                .path("resources")
                .path("limits")
                .path("memory")
                .asText();
        assertTrue(limit.matches("\\d+[gm]"), "the enricher has a memory limit: '" + limit + "'");
        String javaOpts = env(enricher).get("JAVA_OPTS");
        assertTrue(
                javaOpts != null && javaOpts.contains("-XX:MaxRAMPercentage=50"), "heap: half the limit: " + javaOpts);
        assertTrue(javaOpts.contains("-Xss8m"), "JAVA_OPTS replaces the image's, which has ONNX Runtime's -Xss8m");
        for (String dockerfile : List.of("Dockerfile", "Dockerfile.gpu")) {
            String d = Files.readString(ROOT.resolve(dockerfile));
            assertFalse(d.contains("JAVA_TOOL_OPTIONS"), dockerfile);
            assertTrue(d.contains("ENV JAVA_OPTS=\"-Xss8m -XX:MaxRAMPercentage=50\""), dockerfile + " sets JAVA_OPTS");
            assertTrue(
                    d.contains("ENTRYPOINT [\"/bin/sh\", \"-c\", \"exec java $JAVA_OPTS -jar /app/streamnlp.jar"),
                    dockerfile + ": the entrypoint reads JAVA_OPTS");
        }
    }

    @Test
    void theBrokersHealthCheckStartsNoJvm() throws IOException {
        JsonNode check = service(read("docker-compose.yml"), "kafka").path("healthcheck");
        String test = String.join(" ", strings(check.path("test")));
        assertFalse(test.contains("/opt/kafka/bin/"), "a Kafka tool is a JVM start at every check: " + test);
        assertTrue(test.contains("/dev/tcp/localhost/19092"), test);
    }

    @Test
    void imagesBuildWithoutAPackageArchiveOrWarningsAndTheGpuImageSpeaksUtf8() throws IOException {
        String cpu = Files.readString(ROOT.resolve("Dockerfile"));
        String gpu = Files.readString(ROOT.resolve("Dockerfile.gpu"));
        String runtime = cpu.substring(cpu.indexOf("FROM eclipse-temurin:17-jre"));
        assertFalse(runtime.contains("apt-get"), "eclipse-temurin:17-jre ships curl: no package archive needed");
        for (String d : List.of(cpu, gpu)) {
            assertFalse(d.contains("useradd --system"), "a system uid above SYS_UID_MAX makes useradd warn");
            assertTrue(d.contains("useradd --uid 10001"));
        }
        assertTrue(
                gpu.contains("ENV LANG=C.UTF-8 LC_ALL=C.UTF-8"), "nvidia/cuda sets no locale: Java 17 would use ASCII");
    }
}
