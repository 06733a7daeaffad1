package dev.agentledger.verifierclient.replay;

import java.time.Instant;

/** A token was presented again: it was already accepted once. */
public final class ReplayException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String tokenId;

    /** {@code tokenId} was accepted before; it stays refused until {@code expires}. */
    public ReplayException(String tokenId, Instant expires) {
        super("token " + tokenId + " was already used (single use; it expires at " + expires + ")");
        this.tokenId = tokenId;
    }

    /** The replayed token's id. */
    public String tokenId() {
        return tokenId;
    }
}
