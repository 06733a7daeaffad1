package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the reference test vectors in {@code shared/testvectors} beside the repository (or where
 * {@code AGENTLEDGER_SHARED} points). Tests that use them skip, saying so, when they are absent:
 * the project's own vectors keep the suite meaningful without them.
 */
public final class SharedVectors {
    private SharedVectors() {}

    /** The test vector directory, or a skipped test with the reason when it is not there. */
    public static Path directory() {
        Optional<Path> vectors = find();
        assumeTrue(vectors.isPresent(), "reference vectors not found at " + expected() + " (set AGENTLEDGER_SHARED); skipping");
        return vectors.get();
    }

    /** The test vector directory, if it is there. */
    public static Optional<Path> find() {
        return Optional.of(expected()).filter(Files::isDirectory);
    }

    /** Maven runs tests in the module directory, so the repository is its parent. */
    private static Path expected() {
        String configured = System.getenv("AGENTLEDGER_SHARED");
        Path shared = configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().getParent().resolve("shared");
        return shared.resolve("testvectors");
    }
}
