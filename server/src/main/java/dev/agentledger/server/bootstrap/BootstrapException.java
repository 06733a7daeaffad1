package dev.agentledger.server.bootstrap;

/** The data directory cannot be used as asked; the message says what to do. */
public final class BootstrapException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A refusal with a message that tells the operator how to fix it. */
    public BootstrapException(String message) {
        super(message);
    }

    /** A refusal caused by an I/O or crypto failure. */
    public BootstrapException(String message, Throwable cause) {
        super(message, cause);
    }
}
