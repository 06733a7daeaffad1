package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;

/**
 * What an append returns once the entry is durable and in a signed checkpoint: where it is, and
 * the proof of it.
 *
 * @param index the entry's position in the log
 * @param leafHash the RFC 9162 leaf hash of the entry
 * @param checkpoint the signed checkpoint that includes it
 * @param proof the inclusion proof of {@code index} to {@code checkpoint}
 * @param duplicate true when deduplication found the entry already logged at {@code index}
 */
public record Appended(long index, Hash leafHash, SignedCheckpoint checkpoint, InclusionProof proof, boolean duplicate) {
    /** Checks the parts belong together. */
    public Appended {
        if (proof.index() != index || proof.size() != checkpoint.size()) {
            throw new IllegalArgumentException("proof " + proof.index() + "@" + proof.size()
                    + " does not match index " + index + " in checkpoint of size " + checkpoint.size());
        }
    }
}
