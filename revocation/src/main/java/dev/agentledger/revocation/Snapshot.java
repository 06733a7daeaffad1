package dev.agentledger.revocation;

import dev.agentledger.ledger.SignedCheckpoint;
import java.util.List;

/**
 * Every revocation still relevant (one whose covered credentials may not all have expired, or
 * younger than the retention), each proven in one checkpoint, and the sequence the snapshot is
 * current to: a cold-starting verifier loads it, then watches from {@code sequence}.
 *
 * @param sequence the last sequence numbered when the snapshot was taken
 * @param checkpoint the checkpoint every event's proof leads to
 * @param revocations the relevant revocations, in sequence order
 */
public record Snapshot(long sequence, SignedCheckpoint checkpoint, List<RevocationEvent> revocations) {
    /** Copies the list. */
    public Snapshot {
        revocations = List.copyOf(revocations);
    }
}
