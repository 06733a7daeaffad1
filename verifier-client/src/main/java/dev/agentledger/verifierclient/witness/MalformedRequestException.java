package dev.agentledger.verifierclient.witness;

/**
 * The request body is not an {@code add-checkpoint} body (old size line, at most 63 base64 proof
 * lines, blank line, signed checkpoint note), exceeds the size limit, or its old size is larger
 * than the checkpoint's size. HTTP 400.
 */
public final class MalformedRequestException extends WitnessException {
    private static final long serialVersionUID = 1L;

    /** A request refused for the reason given. */
    public MalformedRequestException(String reason) {
        this(reason, null);
    }

    /** A request refused for the reason given, found by {@code cause}. */
    public MalformedRequestException(String reason, Throwable cause) {
        super("malformed add-checkpoint request: " + reason, cause);
    }
}
