package dev.agentledger.verifierclient.witness;

import dev.agentledger.merkle.Hash;
import dev.agentledger.verifierclient.internal.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A {@link WitnessStore} of one small file per origin in a directory, named by the SHA-256 of the
 * origin, holding {@code <origin>\n<size>\n<base64 root>\n}. Each put replaces the file atomically
 * (temporary file, fsync, rename, directory fsync).
 */
public final class FileWitnessStore implements WitnessStore {
    private final Path dir;

    /** A store in {@code dir}, created on first put. */
    public FileWitnessStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<TreeState> latest(String origin) throws IOException {
        Path file = file(origin);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        try {
            if (lines.length != 4 || !lines[0].equals(origin) || !lines[3].isEmpty()) {
                throw new IllegalArgumentException("want origin, size and root lines for " + origin);
            }
            return Optional.of(new TreeState(Long.parseLong(lines[1]), Hash.fromBase64(lines[2])));
        } catch (IllegalArgumentException e) {
            throw new IOException("witness state " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String origin, TreeState state) throws IOException {
        String content = origin + "\n" + state.size() + "\n" + state.root().toBase64() + "\n";
        AtomicFile.write(file(origin), content.getBytes(StandardCharsets.UTF_8));
    }

    private Path file(String origin) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest) + ".state");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
