package dev.agentledger.server.log;

import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import java.util.Optional;

/**
 * One log entry as stored, its leaf hash, its inclusion proof in a tree size, and the checkpoint
 * the log signed for that size when it has one.
 */
public final class ProvenEntry {
    private final byte[] entry;
    private final Hash leafHash;
    private final InclusionProof proof;
    private final SignedCheckpoint checkpoint;

    ProvenEntry(byte[] entry, InclusionProof proof, SignedCheckpoint checkpoint) {
        this.entry = entry.clone();
        this.leafHash = Rfc6962.hashLeaf(entry);
        this.proof = proof;
        this.checkpoint = checkpoint;
    }

    /** The entry's index. */
    public long index() {
        return proof.index();
    }

    /** A copy of the entry's exact stored bytes. */
    public byte[] entry() {
        return entry.clone();
    }

    /** SHA-256(0x00 || entry). */
    public Hash leafHash() {
        return leafHash;
    }

    /** The inclusion proof of {@link #index()} in {@code proof().size()}. */
    public InclusionProof proof() {
        return proof;
    }

    /** The checkpoint signed for the proof's tree size, if the log signed one for exactly that size. */
    public Optional<SignedCheckpoint> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }
}
