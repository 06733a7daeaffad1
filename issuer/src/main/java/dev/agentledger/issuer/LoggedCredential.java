package dev.agentledger.issuer;

import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import java.util.Objects;

/**
 * A credential together with the proof that it is in the log: the entry's index and leaf hash,
 * the signed checkpoint that includes it and the inclusion proof to that checkpoint's root.
 *
 * @param credential the issued credential
 * @param index the log index of the entry that records it
 * @param leafHash the RFC 9162 leaf hash of that entry
 * @param checkpoint the signed checkpoint (C2SP signed note) that includes the entry
 * @param proof the inclusion proof of {@code index} in {@code checkpoint}
 * @param <T> the credential type
 */
public record LoggedCredential<T>(T credential, long index, Hash leafHash, SignedCheckpoint checkpoint, InclusionProof proof) {
    /** Requires every part, and a proof for this index and checkpoint. */
    public LoggedCredential {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(leafHash, "leafHash");
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (proof.index() != index || proof.size() != checkpoint.size()) {
            throw new IllegalArgumentException("proof " + proof.index() + "@" + proof.size()
                    + " does not match index " + index + " in checkpoint of size " + checkpoint.size());
        }
    }

    static <T> LoggedCredential<T> of(T credential, Appended appended) {
        return new LoggedCredential<>(credential, appended.index(), appended.leafHash(), appended.checkpoint(), appended.proof());
    }

    /** The checkpoint's signed note text, as served at {@code /checkpoint}. */
    public String checkpointNote() {
        return checkpoint.note();
    }
}
