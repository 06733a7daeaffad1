package dev.agentledger.revocation;

import com.google.protobuf.ByteString;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.v1.Revoked;
import java.util.Objects;

/**
 * A numbered revocation as broadcast: its sequence, the logged entry and its decoded
 * {@code Revoked} event, the ids it covers, and the proof that the entry is in a signed checkpoint.
 *
 * @param sequence the 1-based position of the entry among the log's Revoked entries, in log order
 * @param logIndex the entry's index in the log
 * @param entry the entry's exact logged bytes
 * @param revoked the Revoked event decoded from {@code entry}
 * @param affected the ids covered, expanded when the event was numbered (or, for an old event
 *     replayed, when it was replayed)
 * @param proof the inclusion proof of {@code logIndex} in {@code checkpoint}
 * @param checkpoint the signed checkpoint the proof leads to
 */
public record RevocationEvent(long sequence, long logIndex, ByteString entry, Revoked revoked, AffectedIds affected,
        InclusionProof proof, SignedCheckpoint checkpoint) {
    /** Checks the parts belong together; throws {@link IllegalArgumentException}. */
    public RevocationEvent {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(revoked, "revoked");
        Objects.requireNonNull(affected, "affected");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence " + sequence + " is below 1");
        }
        if (proof.index() != logIndex || proof.size() != checkpoint.size()) {
            throw new IllegalArgumentException("proof " + proof.index() + "@" + proof.size() + " does not match index "
                    + logIndex + " in a checkpoint of size " + checkpoint.size());
        }
    }
}
