package dev.agentledger.proto;

/**
 * Untrusted bytes or an untrusted message are not a valid log entry: they do not parse, are empty
 * or too large, lack the header, or carry no event this schema knows. The message says what was
 * wrong in got/want form.
 */
public class MalformedEntryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** An entry that failed a check, with a message saying how. */
    public MalformedEntryException(String message) {
        super(message);
    }

    /** An entry the protobuf runtime rejected; {@code cause} is its exception. */
    public MalformedEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
