package io.streamnlp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.streamnlp.StreamNlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may import whom, on the compiled main classes. From the top down:
 * <pre>
 *   cli, bench, eval, metrics            the tools and the monitoring around a running processor
 *   local                                an embedded broker with a processor on it (demo, eval, bench)
 *   app                                  the standalone processor (EnricherApp, cluster checks, identity)
 *   (io.streamnlp itself)                the embedding entry point (StreamNlp, Enricher)
 *   runtime                              what both run on: settings, engine, fitted batch policy, coordinators
 *   topology                             the Kafka Streams processor and its stores
 *   batching                             batches across a stream thread's tasks
 *   inference                            ONNX Runtime sessions, bucket plans, lanes, logits to results
 *   tokenize, decode                     texts to windows; logits to labels and spans
 *   model, config                        bundle descriptions; typed configuration
 * </pre>
 * A package may import its own layer and the layers below it, never one above. Beside the layers: the contract
 * packages {@code api}, {@code api.event}, {@code api.dlq}, {@code api.engine} (usable by every layer, importing no
 * internals), and the leaf utility {@code logging} (importing none of ours). No package cycles. The rules read both
 * modules: the library (streamnlp-core: the entry point, runtime and everything below it, and the contracts) and the
 * app (this module: app, local, the tools, metrics, logging).
 */
class LayeringTest {
    private static final String ROOT = "io.streamnlp.";
    /** Top first. */
    private static final String[][] LAYERS = {
        {"cli", "bench", "eval", "metrics"},
        {"local"},
        {"app"},
        {""},
        {"runtime"},
        {"topology"},
        {"batching"},
        {"inference"},
        {"tokenize", "decode"},
        {"model", "config"},
    };

    private static final String[] CONTRACTS = {"api", "api.event", "api.dlq", "api.engine"};
    private static final String[] LEAVES = {"logging"};

    /** The library module (streamnlp-core): the layers from the entry point down, and the contracts. */
    private static final Set<String> LIBRARY = Set.of(
            "",
            "runtime",
            "topology",
            "batching",
            "inference",
            "tokenize",
            "decode",
            "model",
            "config",
            "api",
            "api.event",
            "api.dlq",
            "api.engine");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the library's test fixtures
                .importPackages("io.streamnlp");
    }

    /**
     * Both modules are covered, each package lives in its module: the library's in streamnlp-core (found where
     * StreamNlp's class file is), the app's in this module. The compiler then keeps the library from importing the
     * app; the rules above keep each module's own layers in order.
     */
    @Test
    void bothModulesAreCoveredAndEachPackageLivesInItsModule() throws Exception {
        String library = StreamNlp.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI()
                .getPath(); // a folder (in the reactor) or a jar
        Set<String> misplaced = new TreeSet<>();
        Set<String> modules = new TreeSet<>();
        for (JavaClass c : classes) {
            String member = c.getPackageName().equals("io.streamnlp")
                    ? ""
                    : c.getPackageName().substring(ROOT.length());
            boolean inLibrary = c.getSource()
                    .map(s -> s.getUri().toString().contains(library))
                    .orElse(false);
            modules.add(inLibrary ? "library" : "app");
            if (inLibrary != LIBRARY.contains(member)) {
                misplaced.add(c.getName() + (inLibrary ? " (in the library)" : " (in the app)"));
            }
        }
        assertEquals(Set.of("app", "library"), modules, "the rules see both modules' classes");
        assertEquals(Set.of(), misplaced, "packages in the wrong module");
    }

    /** The package of a layer member ("" is io.streamnlp itself): that package only, not its sub-packages. */
    private static String pkg(String name) {
        return name.isEmpty() ? ROOT.substring(0, ROOT.length() - 1) : ROOT + name;
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
        Set<String> known = new TreeSet<>();
        for (String[] layer : LAYERS) {
            Arrays.stream(layer).map(LayeringTest::pkg).forEach(known::add);
        }
        Arrays.stream(CONTRACTS).map(LayeringTest::pkg).forEach(known::add);
        Arrays.stream(LEAVES).map(LayeringTest::pkg).forEach(known::add);
        Set<String> found = new TreeSet<>();
        classes.forEach(c -> found.add(c.getPackageName()));
        found.removeAll(known);
        assertEquals(Set.of(), found, "a new package gets a place in LayeringTest, so the rules cover it");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.streamnlp.(**)").should().beFreeOfCycles().check(classes);
    }
}
