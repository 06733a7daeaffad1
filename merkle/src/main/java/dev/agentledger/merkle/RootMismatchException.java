package dev.agentledger.merkle;

/** A proof was well formed but led to a different root than the one it was checked against. */
public final class RootMismatchException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final Hash expected;
    private final Hash calculated;

    /** The proof gave {@code calculated} where {@code expected} was trusted. */
    public RootMismatchException(Hash expected, Hash calculated) {
        super("calculated root " + calculated + ", want " + expected);
        this.expected = expected;
        this.calculated = calculated;
    }

    /** The root the caller trusted. */
    public Hash expected() {
        return expected;
    }

    /** The root the proof led to. */
    public Hash calculated() {
        return calculated;
    }
}
