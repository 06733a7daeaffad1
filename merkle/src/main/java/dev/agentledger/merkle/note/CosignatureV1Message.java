package dev.agentledger.merkle.note;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The Ed25519 signed message and signature layout of c2sp.org/tlog-cosignature, sections "Format"
 * and "Ed25519 signed message": {@code cosignature/v1\ntime <seconds>\n} then the checkpoint body,
 * signed as {@code u64 timestamp || ed25519_signature[64]}.
 */
final class CosignatureV1Message {
    /** Length of the big-endian timestamp before the Ed25519 signature. */
    static final int TIMESTAMP_SIZE = 8;
    /** Length of a cosignature after the key ID: timestamp and Ed25519 signature. */
    static final int SIGNATURE_SIZE = TIMESTAMP_SIZE + Ed25519.SIGNATURE_SIZE;

    private static final String HEADER = "cosignature/v1\n";

    private CosignatureV1Message() {}

    /**
     * Checks that {@code body} is a checkpoint body, the only text a cosignature signs.
     *
     * @throws MalformedCheckpointException if it is not
     */
    static void requireCheckpoint(byte[] body) throws MalformedCheckpointException {
        String text;
        try {
            text = NoteSyntax.decodeUtf8(body, 0, body.length);
        } catch (CharacterCodingException e) {
            throw new MalformedCheckpointException("body is not valid UTF-8");
        }
        Checkpoint.parse(text);
    }

    /** The signed message for a cosignature at {@code timestamp} (seconds, at least 0). */
    static byte[] of(long timestamp, byte[] body) {
        byte[] header = (HEADER + "time " + timestamp + "\n").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(header.length + body.length).put(header).put(body).array();
    }

    /** Reads the timestamp at the start of a cosignature; requires {@code 8 <= signature.length}. */
    static long timestamp(byte[] signature) {
        return ByteBuffer.wrap(signature, 0, TIMESTAMP_SIZE).getLong();
    }
}
