package dev.agentledger.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a small file whole or not at all, durably: a temporary file in the same directory
 * (created readable by the owner only), fsync, the permissions asked for, an atomic rename (or a
 * hard link, when an existing file must not be replaced), then an fsync of the directory so the rename itself survives a crash. Readers see the old content or
 * the new, never a mix, and after a crash never an empty or truncated file. For the log's own
 * small state and for key and certificate files; the verifier client has its own twin
 * ({@code AtomicFile}) because it must not depend on the server side.
 */
public final class DurableFile {
    /** Mode 0600. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** Mode 0644. */
    public static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private DurableFile() {}

    /**
     * Durably replaces {@code path} (or creates it) with {@code content}, mode {@code permissions}
     * where the file system has POSIX permissions.
     *
     * @throws IOException if any step fails; the old content is then still in place
     */
    public static void replace(Path path, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        write(path, content, permissions, false);
    }

    /**
     * Durably creates {@code path} with {@code content}, mode {@code permissions} where the file
     * system has POSIX permissions.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code path} exists; it is left as it was
     * @throws IOException if any other step fails
     */
    public static void create(Path path, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        write(path, content, permissions, true);
    }

    private static void write(Path path, byte[] content, Set<PosixFilePermission> permissions, boolean createOnly)
            throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path temporary = posix
                ? Files.createTempFile(dir, "." + path.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (posix && !permissions.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(temporary, permissions);
            }
            if (createOnly) {
                // A hard link cannot replace an existing file: the check and the creation are one step.
                Files.createLink(path, temporary);
            } else {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot open a directory skip it. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            // Some platforms cannot open a directory as a channel; their rename is durable on return.
        }
    }
}
