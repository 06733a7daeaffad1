package dev.agentledger.merkle.witness;

import dev.agentledger.merkle.VerificationException;

/**
 * A c2sp.org/tlog-witness message (an {@code add-checkpoint} body or a {@code text/x.tlog.size}
 * body) does not follow the spec's syntax or exceeds its limits. Nothing in it was trusted.
 */
public final class MalformedWitnessMessageException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** A message that failed to parse, for the reason given. */
    public MalformedWitnessMessageException(String reason) {
        super("malformed witness message: " + reason);
    }
}
