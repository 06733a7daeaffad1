package dev.agentledger.merkle.witness;

import dev.agentledger.merkle.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An {@code add-checkpoint} request body (c2sp.org/tlog-witness, section "add-checkpoint"):
 * {@code old <size>\n}, zero to 63 lines each the base64 of one 32-byte proof hash, an empty line,
 * then the signed checkpoint note (not checked here). Written once here for both sides: the witness
 * parses it, the log's submitter formats it.
 *
 * @param oldSize the size of the checkpoint the proof starts from, {@code >= 0}
 * @param proof the consistency proof hashes, at most 63
 * @param note the signed checkpoint note, UTF-8 decoded
 */
public record AddCheckpointRequest(long oldSize, List<Hash> proof, String note) {
    /** The largest body accepted: 64 KiB, room for a checkpoint with the note format's 100 signatures. */
    public static final int MAX_BODY_SIZE = 64 << 10;
    /** The most proof lines the spec allows. */
    public static final int MAX_PROOF_LINES = 63;

    private static final String OLD_PREFIX = "old ";

    /** Validates and copies; throws {@link IllegalArgumentException} on a negative size or too long a proof. */
    public AddCheckpointRequest {
        if (oldSize < 0) {
            throw new IllegalArgumentException("old size " + oldSize + " is negative");
        }
        proof = List.copyOf(proof);
        if (proof.size() > MAX_PROOF_LINES) {
            throw new IllegalArgumentException(proof.size() + " proof hashes, limit " + MAX_PROOF_LINES);
        }
    }

    /**
     * Parses a body strictly: size in decimal without sign or leading zeros; proof lines canonical
     * padded base64 of exactly 32 bytes; every line ending in a newline; valid UTF-8.
     *
     * @throws MalformedWitnessMessageException if {@code body} is not such a body or exceeds {@link #MAX_BODY_SIZE}
     */
    public static AddCheckpointRequest parse(byte[] body) throws MalformedWitnessMessageException {
        if (body.length > MAX_BODY_SIZE) {
            throw new MalformedWitnessMessageException("body is " + body.length + " bytes, limit " + MAX_BODY_SIZE);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedWitnessMessageException("body is not valid UTF-8");
        }
        int at = 0;
        int end = lineEnd(text, at, "old size");
        long oldSize = parseOldSize(text.substring(at, end));
        at = end + 1;
        List<Hash> proof = new ArrayList<>();
        while (true) {
            end = lineEnd(text, at, "proof or empty");
            String line = text.substring(at, end);
            at = end + 1;
            if (line.isEmpty()) {
                break;
            }
            if (proof.size() == MAX_PROOF_LINES) {
                throw new MalformedWitnessMessageException("more than " + MAX_PROOF_LINES + " proof lines");
            }
            proof.add(parseHash(proof.size() + 1, line));
        }
        if (at == text.length()) {
            throw new MalformedWitnessMessageException("no checkpoint after the empty line");
        }
        return new AddCheckpointRequest(oldSize, proof, text.substring(at));
    }

    /** Formats the body, for clients: the inverse of {@link #parse}. */
    public String format() {
        StringBuilder out = new StringBuilder(OLD_PREFIX).append(oldSize).append('\n');
        proof.forEach(hash -> out.append(hash.toBase64()).append('\n'));
        return out.append('\n').append(note).toString();
    }

    /**
     * The body of a 409 answer ({@code text/x.tlog.size}, c2sp.org/tlog-witness): the witness's
     * latest size in decimal and a newline.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public static String formatSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        return size + "\n";
    }

    /**
     * Parses a 409 answer's body strictly: a decimal without sign or leading zeros, then a newline.
     *
     * @throws MalformedWitnessMessageException if {@code body} is not such a body
     */
    public static long parseSize(String body) throws MalformedWitnessMessageException {
        if (body.length() > 21 || !body.endsWith("\n")) {
            throw new MalformedWitnessMessageException("size body \"" + shorten(body) + "\" is not <decimal>\\n");
        }
        return parseDecimal(body.substring(0, body.length() - 1));
    }

    private static int lineEnd(String text, int from, String what) throws MalformedWitnessMessageException {
        int end = text.indexOf('\n', from);
        if (end < 0) {
            throw new MalformedWitnessMessageException("body ends before the " + what + " line ends with a newline");
        }
        return end;
    }

    private static long parseOldSize(String line) throws MalformedWitnessMessageException {
        if (!line.startsWith(OLD_PREFIX)) {
            throw new MalformedWitnessMessageException("first line \"" + shorten(line) + "\", want \"old <size>\"");
        }
        return parseDecimal(line.substring(OLD_PREFIX.length()));
    }

    private static long parseDecimal(String digits) throws MalformedWitnessMessageException {
        boolean decimal = !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                && (digits.length() == 1 || digits.charAt(0) != '0');
        if (!decimal) {
            throw new MalformedWitnessMessageException("size \"" + shorten(digits) + "\" is not a decimal without leading zeros");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new MalformedWitnessMessageException("size " + shorten(digits) + " exceeds 2^63-1");
        }
    }

    private static Hash parseHash(int number, String line) throws MalformedWitnessMessageException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            throw new MalformedWitnessMessageException("proof line " + number + " is not base64");
        }
        if (bytes.length != Hash.SIZE || !Base64.getEncoder().encodeToString(bytes).equals(line)) {
            throw new MalformedWitnessMessageException("proof line " + number + " is not the padded base64 of 32 bytes");
        }
        return Hash.of(bytes);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
