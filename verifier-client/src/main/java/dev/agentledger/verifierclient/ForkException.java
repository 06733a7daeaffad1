package dev.agentledger.verifierclient;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.VerificationException;
import java.util.Optional;

/**
 * Two checkpoints signed by the log's key could not be shown to belong to one append-only history
 * (RFC 9162 section 2.1.4): the same size with different roots, or a consistency proof between
 * them that did not verify. Carries both signed notes and the failed proof as evidence: the log
 * (or whoever served the proof) showed a split view, or served a bad proof.
 */
public final class ForkException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final String trustedNote;
    private final String presentedNote;
    private final transient ConsistencyProof proof;

    /**
     * @param trustedNote the signed note held before, verified
     * @param presentedNote the signed note that does not extend (or is not extended by) it
     * @param proof the proof that failed, or null when none was needed (equal sizes)
     * @param reason what did not hold, in got/want form
     */
    public ForkException(String trustedNote, String presentedNote, ConsistencyProof proof, String reason,
            Throwable cause) {
        super("fork: " + reason + "\n--- trusted checkpoint ---\n" + trustedNote
                + "--- presented checkpoint ---\n" + presentedNote, cause);
        this.trustedNote = trustedNote;
        this.presentedNote = presentedNote;
        this.proof = proof;
    }

    /** The signed note that was trusted before. */
    public String trustedNote() {
        return trustedNote;
    }

    /** The signed note that conflicts with it. */
    public String presentedNote() {
        return presentedNote;
    }

    /** The consistency proof that failed to verify; empty for equal sizes with different roots. */
    public Optional<ConsistencyProof> proof() {
        return Optional.ofNullable(proof);
    }
}
