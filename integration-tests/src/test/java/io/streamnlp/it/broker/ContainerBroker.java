package io.streamnlp.it.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node KRaft broker in a Testcontainers {@link KafkaContainer}, on the {@code apache/kafka} image that
 * docker-compose.yml pins (read from that file, so the two cannot drift apart).
 */
final class ContainerBroker {
    private ContainerBroker() {}

    /** Starts a container whose broker has {@code settings} (broker property names), as environment variables. */
    static TestBroker start(Map<String, String> settings) {
        KafkaContainer c = new KafkaContainer(DockerImageName.parse(composeImage()));
        // the image turns KAFKA_FOO_BAR into foo.bar
        settings.forEach(
                (k, v) -> c.withEnv("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
        c.start();
        return new TestBroker("container", c.getBootstrapServers(), c::stop);
    }

    /** The Kafka image of the compose file's kafka service. */
    static String composeImage() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path compose = d.resolve("docker-compose.yml");
            if (Files.isRegularFile(compose)) {
                try {
                    Matcher m = Pattern.compile("(?m)^\\s*image:\\s*(apache/kafka:\\S+)\\s*$")
                            .matcher(Files.readString(compose));
                    if (m.find()) {
                        return m.group(1);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                throw new IllegalStateException(compose + " names no apache/kafka image");
            }
        }
        throw new IllegalStateException(
                "no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    /** The images a container broker needs: the Kafka image and, unless it is disabled, Testcontainers' Ryuk. */
    static List<String> images() {
        List<String> images = new java.util.ArrayList<>(List.of(composeImage()));
        if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            images.add(org.testcontainers.utility.TestcontainersConfiguration.getInstance()
                    .getRyukImage());
        }
        return images;
    }

    /** Finds {@code image} on the engine or pulls it, once and within a minute; throws when neither works. */
    static void ensureImage(String image) throws Exception {
        // a plain client on the engine Testcontainers found: its own client() would first start Ryuk, whose image is
        // one of those being asked about (and which it retries pulling for two minutes)
        try (var client = org.testcontainers.dockerclient.DockerClientProviderStrategy.getClientForConfig(
                DockerClientFactory.instance().getTransportConfig())) {
            try {
                client.inspectImageCmd(image).exec();
                return;
            } catch (com.github.dockerjava.api.exception.NotFoundException notHere) {
                // pull it below
            }
            if (!client.pullImageCmd(image).start().awaitCompletion(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new java.util.concurrent.TimeoutException("no pull within 60 s");
            }
        }
    }

    /**
     * Whether a Docker engine answers. Where no engine can be (no DOCKER_HOST, no Testcontainers settings, none of
     * the sockets Testcontainers looks for) this says no without asking Testcontainers, whose search for one takes
     * seconds and logs errors; otherwise it asks, with Testcontainers' own logging off meanwhile.
     */
    static boolean dockerAvailable() {
        if (!mayHaveDocker()) {
            return false;
        }
        org.slf4j.Logger tc = LoggerFactory.getLogger("org.testcontainers");
        ch.qos.logback.classic.Level before = null;
        if (tc instanceof ch.qos.logback.classic.Logger l) {
            before = l.getLevel();
            l.setLevel(ch.qos.logback.classic.Level.OFF);
        }
        try {
            // not isDockerAvailable(): that gets Testcontainers' client, which first starts Ryuk (pulling its image,
            // retried for two minutes where there is no registry); finding the engine and pinging it starts nothing
            try (var client = org.testcontainers.dockerclient.DockerClientProviderStrategy.getClientForConfig(
                    DockerClientFactory.instance().getTransportConfig())) {
                client.pingCmd().exec();
                return true;
            } catch (Exception | Error e) {
                return false;
            }
        } finally {
            if (tc instanceof ch.qos.logback.classic.Logger l) {
                l.setLevel(before);
            }
        }
    }

    private static boolean mayHaveDocker() {
        if (System.getenv("DOCKER_HOST") != null
                || System.getProperty("os.name", "").startsWith("Windows")) {
            return true;
        }
        String home = System.getProperty("user.home");
        if (Files.exists(Path.of(home, ".testcontainers.properties"))) {
            return true; // it may name a docker.host
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        List<Path> sockets = new java.util.ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock"),
                Path.of(home, ".rd", "docker.sock")));
        if (runtime != null) {
            sockets.add(Path.of(runtime, "docker.sock"));
        }
        return sockets.stream().anyMatch(Files::exists);
    }
}
