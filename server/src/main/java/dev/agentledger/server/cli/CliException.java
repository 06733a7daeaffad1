package dev.agentledger.server.cli;

/** A command failed in a way the user can fix; the message says how. Printed without a stack trace. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
