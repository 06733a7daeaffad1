package dev.agentledger.verifierclient.witness;

/**
 * No signature on the checkpoint verifies under a key this witness trusts for its origin (none by
 * such a key, or one that fails). HTTP 403.
 */
public final class UnsignedCheckpointException extends WitnessException {
    private static final long serialVersionUID = 1L;

    /** The checkpoint for {@code origin} failed its signature check for {@code cause}'s reason. */
    public UnsignedCheckpointException(String origin, Throwable cause) {
        super("no valid signature by a known key of \"" + origin + "\": " + cause.getMessage(), cause);
    }
}
