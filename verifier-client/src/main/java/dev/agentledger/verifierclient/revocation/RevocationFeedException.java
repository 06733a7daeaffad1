package dev.agentledger.verifierclient.revocation;

import dev.agentledger.merkle.VerificationException;

/**
 * A message of the revocation feed is malformed, does not verify (checkpoint signature, inclusion
 * proof, entry), or breaks the feed's order (a sequence gap, a checkpoint that went back). The
 * cache applies nothing from it and reconnects from the last sequence it verified.
 */
public final class RevocationFeedException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** A feed message refused for the reason given. */
    public RevocationFeedException(String message) {
        super(message);
    }

    /** A feed message refused because a check below failed. */
    public RevocationFeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
