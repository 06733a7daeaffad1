package dev.agentledger.ledger;

import dev.agentledger.merkle.note.Checkpoint;
import java.nio.charset.StandardCharsets;

/**
 * A checkpoint and the C2SP signed note that carries it, exactly as published at
 * {@code /checkpoint}.
 *
 * @param checkpoint the parsed checkpoint body (origin, size, root)
 * @param note the signed note text: the checkpoint body, a blank line, the signature lines
 */
public record SignedCheckpoint(Checkpoint checkpoint, String note) {
    /** Requires both parts; the note must start with the checkpoint's body. */
    public SignedCheckpoint {
        if (!note.startsWith(checkpoint.format() + "\n")) {
            throw new IllegalArgumentException("note does not carry this checkpoint");
        }
    }

    /** The tree size. */
    public long size() {
        return checkpoint.size();
    }

    /** The note as UTF-8 bytes, the form served over HTTP. */
    public byte[] noteBytes() {
        return note.getBytes(StandardCharsets.UTF_8);
    }
}
