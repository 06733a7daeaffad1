package dev.agentledger.server.log;

/** A request contradicts itself or is malformed (e.g. index >= tree size, a non-numeric size). */
public final class InvalidRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Refused, for the reason given. */
    public InvalidRequestException(String message) {
        super(message);
    }

    /** Refused because a parser rejected part of the request. */
    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
