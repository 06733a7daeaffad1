package dev.agentledger.verifierclient.witness;

/**
 * A correctly signed checkpoint whose consistency proof from the witness's latest checkpoint does
 * not verify, or a non-empty proof from old size 0. HTTP 422. Carries the signed note: a validly
 * signed checkpoint that does not extend what the witness cosigned may be evidence of a fork.
 */
public final class InconsistentCheckpointException extends WitnessException {
    private static final long serialVersionUID = 1L;

    private final String note;

    /** The signed {@code note} failed its consistency check for the reason given. */
    public InconsistentCheckpointException(String note, String reason, Throwable cause) {
        super("checkpoint is not proven consistent: " + reason, cause);
        this.note = note;
    }

    /** The signed checkpoint note as submitted. */
    public String note() {
        return note;
    }
}
