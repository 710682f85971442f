package io.streamnlp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may import whom, on the compiled main classes. From the top down:
 * <pre>
 *   cli, bench, eval, metrics            the tools and the monitoring around a running processor
 *   api                                  the embedding entry point (StreamNlp, Enricher)
 *   app                                  the standalone processor (EnricherApp, engines from config, start-up checks)
 *   topology                             the Kafka Streams processor and its stores
 *   batching                             batches across a stream thread's tasks
 *   inference                            ONNX Runtime sessions, bucket plans, lanes, logits to results
 *   tokenize, decode                     texts to windows; logits to labels and spans
 *   model, config                        bundle descriptions; typed configuration
 * </pre>
 * A package may import its own layer and the layers below it, never one above. Beside the layers: the contract
 * packages {@code api.event}, {@code api.dlq}, {@code api.engine} (usable by every layer, importing no internals),
 * and the leaf utilities {@code logging} and {@code embedded} (importing none of ours). No package cycles.
 */
class LayeringTest {
    private static final String ROOT = "io.streamnlp.";
    /** Top first. */
    private static final String[][] LAYERS = {
        {"cli", "bench", "eval", "metrics"},
        {"api"},
        {"app"},
        {"topology"},
        {"batching"},
        {"inference"},
        {"tokenize", "decode"},
        {"model", "config"},
    };

    private static final String[] CONTRACTS = {"api.event", "api.dlq", "api.engine"};
    private static final String[] LEAVES = {"logging", "embedded"};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.streamnlp");
    }

    /** The package pattern of a layer member: the package itself only (api's contract sub-packages are not "api"). */
    private static String pkg(String name) {
        return ROOT + name;
    }

    @Test
    void noLayerImportsALayerAboveIt() {
        for (int i = 1; i < LAYERS.length; i++) {
            List<String> above = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                Arrays.stream(LAYERS[j]).map(LayeringTest::pkg).forEach(above::add);
            }
            for (String member : LAYERS[i]) {
                noClasses()
                        .that()
                        .resideInAPackage(pkg(member))
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(above.toArray(String[]::new))
                        .because(member + " is below " + String.join(", ", above) + " (see LayeringTest)")
                        .check(classes);
            }
        }
    }

    @Test
    void theContractsAndTheLeavesImportNoInternals() {
        List<String> internals = new ArrayList<>();
        for (String[] layer : LAYERS) {
            Arrays.stream(layer).map(LayeringTest::pkg).forEach(internals::add);
        }
        List<String> contractsAndInternals = new ArrayList<>(internals);
        Arrays.stream(LEAVES).map(LayeringTest::pkg).forEach(contractsAndInternals::add);
        for (String contract : CONTRACTS) {
            noClasses()
                    .that()
                    .resideInAPackage(pkg(contract))
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(contractsAndInternals.toArray(String[]::new))
                    .because("the contract a user codes against must not drag internals along")
                    .check(classes);
        }
        for (String leaf : LEAVES) {
            List<String> ours = new ArrayList<>(contractsAndInternals);
            ours.remove(pkg(leaf));
            Arrays.stream(CONTRACTS).map(LayeringTest::pkg).forEach(ours::add);
            noClasses()
                    .that()
                    .resideInAPackage(pkg(leaf))
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(ours.toArray(String[]::new))
                    .because(leaf + " is a leaf utility")
                    .check(classes);
        }
    }

    @Test
    void everyPackageHasAPlace() {
        java.util.Set<String> known = new java.util.TreeSet<>();
        for (String[] layer : LAYERS) {
            Arrays.stream(layer).map(LayeringTest::pkg).forEach(known::add);
        }
        Arrays.stream(CONTRACTS).map(LayeringTest::pkg).forEach(known::add);
        Arrays.stream(LEAVES).map(LayeringTest::pkg).forEach(known::add);
        java.util.Set<String> found = new java.util.TreeSet<>();
        classes.forEach(c -> found.add(c.getPackageName()));
        found.removeAll(known);
        org.junit.jupiter.api.Assertions.assertEquals(
                java.util.Set.of(), found, "a new package gets a place in LayeringTest, so the rules cover it");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.streamnlp.(**)").should().beFreeOfCycles().check(classes);
    }
}
