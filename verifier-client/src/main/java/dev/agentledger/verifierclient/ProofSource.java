package dev.agentledger.verifierclient;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.VerificationException;
import java.io.IOException;

/**
 * Where {@link CheckpointTracker} gets consistency proofs. Untrusted: every proof is verified
 * against signed checkpoints before it is believed. Implementations must be thread-safe.
 */
public interface ProofSource {
    /**
     * The RFC 9162 consistency proof from tree size {@code size1} to {@code size2}, requires
     * {@code 0 < size1 <= size2}.
     *
     * @throws IOException if the source cannot be reached or answers with an error
     * @throws VerificationException if the answer does not parse as a proof
     */
    ConsistencyProof consistency(long size1, long size2) throws IOException, VerificationException;
}
