package dev.agentledger.merkle;

/**
 * Untrusted input failed a check: a proof, a signature, a note, a path or a bundle that does not
 * verify or does not parse. The message says what was wrong in got/want form.
 */
public class VerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** An input that failed verification, with a message saying how. */
    public VerificationException(String message) {
        super(message);
    }

    /** An input that failed verification because a library rejected it. */
    public VerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
