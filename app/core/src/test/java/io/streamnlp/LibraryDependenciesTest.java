package io.streamnlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The library's classpath (this module's, as an embedder gets it, plus JUnit and Kafka's streams-test-utils) holds no
 * logging backend, CLI framework, metrics library or broker: the module boundary keeps the app's out at compile time,
 * the enforcer rule in this module's pom keeps them out of the dependency tree, and this test sees the result.
 */
class LibraryDependenciesTest {
    /** A class of each library an embedder must not inherit. */
    private static final Map<String, String> FORBIDDEN = Map.of(
            "logback (a logging backend)", "ch.qos.logback.classic.Logger",
            "log4j-core (a logging backend)", "org.apache.logging.log4j.core.LoggerContext",
            "slf4j-simple (a logging backend)", "org.slf4j.simple.SimpleLogger",
            "picocli (a CLI framework)", "picocli.CommandLine",
            "Micrometer (a metrics library)", "io.micrometer.core.instrument.MeterRegistry",
            "Kafka's test kit (a broker)", "org.apache.kafka.common.test.KafkaClusterTestKit",
            "the standalone app", "io.streamnlp.app.EnricherApp",
            "the embedded broker's wrapper", "io.streamnlp.local.EmbeddedKafka");

    @Test
    void noneOfTheAppsLibrariesIsOnTheLibrarysClasspath() {
        Map<String, String> found = new TreeMap<>();
        FORBIDDEN.forEach((what, className) -> {
            try {
                Class.forName(className, false, getClass().getClassLoader());
                found.put(what, className);
            } catch (ClassNotFoundException expected) {
                // absent, as it should be
            }
        });
        assertEquals(Map.of(), found, "on the library's classpath");
    }

    @Test
    void slf4jFindsNoBindingSoTheEmbeddersOwnDecides() {
        assertTrue(
                LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory,
                "no SLF4J provider: " + LoggerFactory.getILoggerFactory().getClass());
    }

    @Test
    void theLibrarysOwnEntryPointsAreHere() throws ClassNotFoundException {
        for (String name : List.of("io.streamnlp.StreamNlp", "io.streamnlp.runtime.EnrichmentRuntime")) {
            Class.forName(name, false, getClass().getClassLoader());
        }
    }
}
