package dev.agentledger.server.bootstrap;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes key and certificate files whole or not at all (a temporary file moved into place), secret
 * ones readable by the owner only (mode 0600) from the moment they exist.
 *
 * <p>Security: secrets are plain files protected by file permissions only; encryption at rest is
 * not implemented yet.
 */
final class PrivateFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** Writes a secret file with mode 0600; refuses to overwrite an existing file. */
    static void writeSecret(Path path, byte[] content) throws IOException {
        write(path, content, true);
    }

    /** Writes a public file (mode from the umask); refuses to overwrite an existing file. */
    static void writePublic(Path path, byte[] content) throws IOException {
        write(path, content, false);
    }

    /** Creates {@code dir} (and parents) readable by the owner only when the file system allows it. */
    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (isPosix(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static void write(Path path, byte[] content, boolean secret) throws IOException {
        if (Files.exists(path)) {
            throw new FileAlreadyExistsException(path.toString(), null, "will not overwrite a key or certificate file");
        }
        createPrivateDirectory(path.getParent());
        FileAttribute<?>[] attributes = secret && isPosix(path.getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(path.getParent(), "." + path.getFileName(), ".tmp", attributes);
        try {
            if (!secret && isPosix(path.getParent())) {
                // createTempFile makes 0600 files; certificates and verifier keys are public
                Files.setPosixFilePermissions(temporary, WORLD_READABLE);
            }
            Files.write(temporary, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.SYNC);
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
