package dev.agentledger.verifierclient.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file whole or not at all: write a temporary file in the same directory, fsync
 * it, rename it over the target atomically, then fsync the directory so the rename itself survives
 * a crash. Readers see the old content or the new, never a mix.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /**
     * Durably replaces {@code path} with {@code content}; when this returns the new content is on
     * disk. Creates the parent directory if needed.
     *
     * @throws IOException if any step fails; the old content is then still in place
     */
    public static void write(Path path, byte[] content) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot open a directory skip it. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            // Windows cannot open a directory as a channel; its rename is durable on return.
        }
    }
}
