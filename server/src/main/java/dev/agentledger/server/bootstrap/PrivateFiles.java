package dev.agentledger.server.bootstrap;

import dev.agentledger.ledger.DurableFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes key and certificate files whole or not at all and durably ({@link DurableFile}), secret
 * ones readable by the owner only (mode 0600) from the moment they exist.
 *
 * <p>Security: secrets are plain files protected by file permissions only; encryption at rest is
 * not implemented yet.
 */
final class PrivateFiles {
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
        DurableFile.create(path, content, secret ? DurableFile.OWNER_ONLY : DurableFile.WORLD_READABLE);
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
