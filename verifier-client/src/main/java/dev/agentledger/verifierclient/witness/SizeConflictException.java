package dev.agentledger.verifierclient.witness;

/**
 * The request's old size is not the size this witness last cosigned for the origin (zero if
 * never), or the checkpoint has that same size with a different root. HTTP 409 with the body
 * {@code <latestSize>\n}, content type {@code text/x.tlog.size}: the client retries with a proof
 * from there.
 */
public final class SizeConflictException extends WitnessException {
    private static final long serialVersionUID = 1L;

    private final long latestSize;

    /** The witness's latest size for the origin is {@code latestSize}; the request did not match it. */
    public SizeConflictException(long latestSize, String reason) {
        super(reason + "; the latest cosigned size is " + latestSize, null);
        this.latestSize = latestSize;
    }

    /** The size of the latest checkpoint this witness cosigned for the origin, 0 if none. */
    public long latestSize() {
        return latestSize;
    }
}
