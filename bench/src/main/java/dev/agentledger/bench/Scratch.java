package dev.agentledger.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories of the benchmarks: a directory made here is deleted with everything in it
 * when the JVM exits, also after a failure or Ctrl-C (a benchmark's databases reach gigabytes, and
 * runs left behind filled the disk). A directory given on the command line is the caller's and is kept.
 */
final class Scratch {
    private Scratch() {}

    /** A new empty directory under the system's temporary directory, deleted at exit. */
    static Path directory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                deleteTree(dir);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("could not delete " + dir + ": " + e.getMessage());
            }
        }));
        return dir;
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
