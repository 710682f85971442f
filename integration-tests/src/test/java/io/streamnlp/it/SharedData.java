package io.streamnlp.it;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** ../shared (data and reference files beside the repository): found by walking up, or the test skips. */
final class SharedData {
    private SharedData() {}

    static Path require(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolveSibling("shared").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        Assumptions.abort("skipped: ../shared/" + relative + " is not present beside the repository (CI always has it)");
        return null;
    }
}
