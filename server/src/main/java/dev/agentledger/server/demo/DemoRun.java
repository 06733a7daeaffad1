package dev.agentledger.server.demo;

import dev.agentledger.server.bootstrap.DataDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** Runs the demo from the command line: where its state lives, the summary, and {@code --keep}. */
public final class DemoRun {
    /** Helidon reports each listener it opens and closes at INFO; the story says what matters. */
    private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");

    private DemoRun() {}

    /**
     * Runs the story, prints the summary, then either stops or (with {@code keep}) waits for Ctrl-C.
     *
     * @param data where to keep the state (must not exist); empty: a temporary directory removed at the end
     * @throws IllegalArgumentException if {@code data} already exists
     * @throws Exception from the first step that failed
     */
    public static void run(PrintWriter out, boolean json, boolean keep, Optional<Path> data) throws Exception {
        if (data.isPresent() && Files.exists(data.get())) {
            throw new IllegalArgumentException(data.get() + " already exists: the demo starts from an empty data directory");
        }
        HELIDON.setLevel(java.util.logging.Level.WARNING);
        Path dir = data.orElseGet(DemoRun::temporaryDirectory);
        Story story = new Story(out, json);
        Demo demo = new Demo(story, new DataDir(dir));
        try {
            demo.run();
            story.summary("AgentLedger demo: every answer above was checked against the log");
            if (keep) {
                if (!json) {
                    out.println();
                    out.println("The authority keeps running: console " + demo.publicUrl() + "/ui/  (Ctrl-C to stop)");
                    out.flush();
                }
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    demo.close();
                    stopped.countDown();
                }, "agentledger-demo-shutdown"));
                stopped.await();
            }
        } finally {
            demo.close();
            if (data.isEmpty() && !keep) {
                delete(dir);
            }
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("agentledger-demo-").resolve("data");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create a temporary directory for the demo", e);
        }
    }

    private static void delete(Path dir) {
        Path root = dir.getParent() != null && dir.getParent().getFileName().toString().startsWith("agentledger-demo-")
                ? dir.getParent() : dir;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A leftover temporary directory is not worth failing the demo for.
        }
    }
}
