package io.qbridge.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared test data (real models, images): {@code $QBRIDGE_SHARED}, else the path the
 * build passes ({@code QBRIDGE_SHARED_DEFAULT}, the repository's sibling {@code ../shared}), else
 * {@code ../shared} and {@code ../../shared} from the working directory. Tests that need it are
 * skipped with a message when it is absent.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        for (String candidate : new String[] {System.getenv("QBRIDGE_SHARED"), System.getenv("QBRIDGE_SHARED_DEFAULT"),
                "../shared", "../../shared"}) {
            if (candidate != null && !candidate.isEmpty() && Files.isDirectory(Path.of(candidate, "models"))) {
                return Path.of(candidate).toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** A file under the shared folder; skips the calling test when it is not there. */
    public static Path require(String relative) {
        Path root = root();
        Assumptions.assumeTrue(root != null,
                "shared test data not found (set QBRIDGE_SHARED or put it at ../shared): skipping");
        Path p = root.resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), p + " not found: skipping");
        return p;
    }

    public static Path model(String name) {
        return require("models/" + name + ".tflite");
    }
}
