package dev.agentledger.merkle.note;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The text of a transparency log checkpoint (c2sp.org/tlog-checkpoint, section "Note text"): the
 * origin line, the tree size in decimal, the base64 root hash, then optional extension lines, each
 * line ending in a newline.
 *
 * <p>{@link #parse} accepts exactly the bodies that {@link #format} produces, so a parsed
 * checkpoint formats back to the same bytes.
 *
 * @param origin the log's identity, non-empty, one line
 * @param size the number of leaves, at least 0
 * @param root the RFC 9162 root hash of the tree at {@code size}
 * @param extensions the extension lines, each non-empty, in order; usually none
 */
public record Checkpoint(String origin, long size, Hash root, List<String> extensions) {
    /**
     * Validates and copies the fields.
     *
     * @throws IllegalArgumentException if the origin or an extension line is empty or not a single
     *     line of note text, or {@code size} is negative
     */
    public Checkpoint {
        requireLine("origin", origin);
        if (size < 0) {
            throw new IllegalArgumentException("tree size " + size + " is negative");
        }
        Objects.requireNonNull(root, "root");
        extensions = List.copyOf(extensions);
        for (String extension : extensions) {
            requireLine("extension line", extension);
        }
    }

    /** A checkpoint without extension lines. */
    public Checkpoint(String origin, long size, Hash root) {
        this(origin, size, root, List.of());
    }

    /**
     * Parses a checkpoint body strictly: origin non-empty; size in decimal without sign or leading
     * zeros (except {@code 0}) that fits a signed 64-bit integer; root the canonical padded base64
     * of 32 bytes; extension lines non-empty; every line ending in a newline; no control character
     * but newline.
     *
     * @throws MalformedCheckpointException if {@code body} is not such a checkpoint
     */
    public static Checkpoint parse(String body) throws MalformedCheckpointException {
        Optional<String> problem = NoteSyntax.textProblem(body);
        if (problem.isPresent()) {
            throw new MalformedCheckpointException("body has a " + problem.get());
        }
        if (!body.endsWith("\n")) {
            throw new MalformedCheckpointException("body does not end with a newline");
        }
        // The limit -1 keeps empty lines; the final newline leaves one empty string at the end.
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new MalformedCheckpointException(
                    "body has " + lines.length + " lines, want at least 3 (origin, size, root)");
        }
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                throw new MalformedCheckpointException("line " + (i + 1) + " is empty");
            }
        }
        return new Checkpoint(lines[0], parseSize(lines[1]), parseRoot(lines[2]),
                List.of(lines).subList(3, lines.length));
    }

    /** Formats the body: {@code origin\nsize\nbase64(root)\n} then each extension line and newline. */
    public String format() {
        StringBuilder body = new StringBuilder()
                .append(origin).append('\n')
                .append(size).append('\n')
                .append(root.toBase64()).append('\n');
        for (String extension : extensions) {
            body.append(extension).append('\n');
        }
        return body.toString();
    }

    private static long parseSize(String line) throws MalformedCheckpointException {
        boolean digitsOnly = line.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digitsOnly || (line.length() > 1 && line.charAt(0) == '0')) {
            throw new MalformedCheckpointException(
                    "tree size \"" + line + "\" is not a decimal number without sign or leading zeros");
        }
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new MalformedCheckpointException("tree size " + line + " exceeds 2^63-1");
        }
    }

    private static Hash parseRoot(String line) throws MalformedCheckpointException {
        byte[] bytes;
        try {
            bytes = NoteSyntax.decodeBase64(line);
        } catch (IllegalArgumentException e) {
            throw new MalformedCheckpointException("root hash \"" + line + "\" is not canonical base64");
        }
        try {
            return Hash.parse(bytes);
        } catch (VerificationException e) {
            throw new MalformedCheckpointException("root " + e.getMessage());
        }
    }

    private static void requireLine(String what, String line) {
        if (line.isEmpty() || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " \"" + line + "\" is not one non-empty line");
        }
        NoteSyntax.textProblem(line).ifPresent(problem -> {
            throw new IllegalArgumentException(what + " has a " + problem);
        });
    }
}
