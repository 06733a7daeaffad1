package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;

/**
 * A checkpoint body does not follow c2sp.org/tlog-checkpoint, section "Note text". The message
 * names the line and what was wrong with it.
 */
public final class MalformedCheckpointException extends VerificationException {
    private static final long serialVersionUID = 1L;

    /** A checkpoint that failed to parse, for the reason given. */
    public MalformedCheckpointException(String reason) {
        super("malformed checkpoint: " + reason);
    }
}
