package dev.agentledger.verifierclient.witness;

/** The checkpoint's origin is not a log this witness is configured for. HTTP 404. */
public final class UnknownOriginException extends WitnessException {
    private static final long serialVersionUID = 1L;

    private final String origin;

    /** The origin line that names no configured log. */
    public UnknownOriginException(String origin) {
        super("unknown log origin \"" + origin + "\"", null);
        this.origin = origin;
    }

    /** The unknown origin. */
    public String origin() {
        return origin;
    }
}
