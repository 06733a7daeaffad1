package dev.agentledger.verifierclient;

import dev.agentledger.merkle.VerificationException;

/** A correctly signed checkpoint names another log's origin (c2sp.org/tlog-checkpoint, "Note text"). */
public final class WrongOriginException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final String got;
    private final String want;

    /** The checkpoint's origin line was {@code got}; the verifier is configured for {@code want}. */
    public WrongOriginException(String got, String want) {
        super("checkpoint origin \"" + got + "\", want \"" + want + "\"");
        this.got = got;
        this.want = want;
    }

    /** The origin the checkpoint named. */
    public String got() {
        return got;
    }

    /** The configured origin. */
    public String want() {
        return want;
    }
}
