package dev.agentledger.verifierclient.monitor;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads tlog-tiles resources from a local directory laid out like the HTTP API ({@code
 * <root>/checkpoint}, {@code <root>/tile/0/000}, ...): a mirror of a log, or an archive of one.
 */
public final class DirectoryTileFetcher implements TileFetcher {
    private final Path root;

    /** Reads under {@code root}; the directory need not exist yet. */
    public DirectoryTileFetcher(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Reads {@code <root>/<path>}.
     *
     * @throws FileNotFoundException if there is no such file
     * @throws IOException if the path leaves the root or the file cannot be read
     */
    @Override
    public byte[] fetch(String path) throws IOException {
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root)) {
            throw new IOException("path \"" + path + "\" leaves " + root);
        }
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(file + " does not exist");
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
