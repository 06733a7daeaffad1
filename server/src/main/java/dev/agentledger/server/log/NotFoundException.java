package dev.agentledger.server.log;

/** What was asked for is not in the log (yet): an index or tree size beyond the latest checkpoint. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Not found, for the reason given. */
    public NotFoundException(String message) {
        super(message);
    }
}
