package dev.agentledger.server.ops;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.ledger.StorageException;
import dev.agentledger.server.bootstrap.DataDir;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Online backups of a running authority: a consistent copy of the log (see {@link Ledger#backup})
 * and then the rest of the data directory (settings, encrypted keys, certificates, the witnessed
 * checkpoint), into a new directory on the server's host that a server can be started on as it is.
 */
public final class Backups {
    private static final System.Logger LOG = System.getLogger(Backups.class.getName());

    private final DataDir data;
    private final Ledger ledger;

    /** Backups of {@code data}, whose log is open as {@code ledger}. */
    public Backups(DataDir data, Ledger ledger) {
        this.data = data;
        this.ledger = ledger;
    }

    /**
     * A backup written.
     *
     * @param directory where it is
     * @param checkpoint the latest checkpoint in the copied log: a server started on the backup
     *     starts at this tree size
     * @param files how many files besides the log were copied
     */
    public record Backup(Path directory, SignedCheckpoint checkpoint, int files) {}

    /** The backup directory cannot be used; nothing was written. */
    public static final class InvalidTargetException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidTargetException(String message) {
            super(message);
        }
    }

    /**
     * Writes a backup into {@code target}, an absolute path that must not exist yet, whose parent
     * exists, and that is outside the data directory. It is created with mode 0700.
     *
     * @throws InvalidTargetException if {@code target} breaks one of those rules
     * @throws IOException if writing fails (the partial directory is left for the operator to
     *     inspect and delete)
     */
    public Backup write(Path target) throws InvalidTargetException, IOException {
        if (!target.isAbsolute()) {
            throw new InvalidTargetException("the backup directory must be an absolute path on the server's host, not " + target);
        }
        Path normalized = target.normalize();
        Path root = data.root().toAbsolutePath().normalize();
        if (normalized.startsWith(root) || root.startsWith(normalized)) {
            throw new InvalidTargetException("the backup directory " + normalized + " must be outside the data directory " + root);
        }
        Path parent = normalized.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new InvalidTargetException("the backup directory's parent " + parent + " does not exist");
        }
        try {
            Files.createDirectory(normalized, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new InvalidTargetException(normalized + " already exists: give a new directory");
        }
        Path ledgerDir = data.ledger().toAbsolutePath().normalize();
        SignedCheckpoint checkpoint;
        try {
            checkpoint = ledger.backup(normalized.resolve(ledgerDir.getFileName()));
        } catch (StorageException e) {
            throw new IOException(e.getMessage(), e);
        }
        int files = 0;
        List<Path> rest;
        try (Stream<Path> walk = Files.walk(root)) {
            rest = walk.filter(p -> !p.startsWith(ledgerDir) && !p.equals(root)).sorted().toList();
        }
        for (Path source : rest) {
            Path copy = normalized.resolve(root.relativize(source).toString());
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
            } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                files++;
            }
        }
        LOG.log(System.Logger.Level.INFO, "backup written to {0}: log at tree size {1}, {2} other files",
                normalized, checkpoint.size(), files);
        return new Backup(normalized, checkpoint, files);
    }
}
