package dev.agentledger.verifierclient;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.VerifierKey;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A checkpoint signed by the log carries valid cosignatures from fewer than the threshold K of the
 * configured witnesses (c2sp.org/tlog-cosignature).
 */
public final class InsufficientCosignaturesException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final transient List<VerifierKey> cosigners;
    private final int threshold;

    /** Only {@code cosigners} verified; {@code threshold} are required. */
    public InsufficientCosignaturesException(List<VerifierKey> cosigners, int threshold) {
        super("checkpoint has " + cosigners.size() + " valid witness cosignatures, want at least " + threshold
                + (cosigners.isEmpty() ? "" : " (cosigned by "
                        + cosigners.stream().map(VerifierKey::name).collect(Collectors.joining(", ")) + ")"));
        this.cosigners = List.copyOf(cosigners);
        this.threshold = threshold;
    }

    /** The configured witnesses whose cosignature verified. */
    public List<VerifierKey> cosigners() {
        return cosigners;
    }

    /** The threshold K. */
    public int threshold() {
        return threshold;
    }
}
