package dev.agentledger.verifierclient;

import dev.agentledger.merkle.VerificationException;
import java.time.Duration;
import java.time.Instant;

/**
 * The alarm of the witness-lag rule (see {@link CheckpointTracker}): a checkpoint accepted on the
 * log's signature alone was not confirmed by a checkpoint cosigned by K witnesses within the
 * deadline. Until one arrives no further unconfirmed checkpoint is accepted.
 */
public final class WitnessLagException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final long unconfirmedSize;
    private final long confirmedSize;
    private final Instant unconfirmedSince;

    /** Size {@code unconfirmedSize} has waited since {@code since}; K witnesses confirmed only up to {@code confirmedSize}. */
    public WitnessLagException(long unconfirmedSize, long confirmedSize, Instant since, Instant now, Duration deadline) {
        super("witness lag: size " + unconfirmedSize + " accepted on the log signature alone at " + since
                + " is unconfirmed after " + Duration.between(since, now).toMillis() + " ms, want at most "
                + deadline.toMillis() + " ms; witnesses confirmed " + (confirmedSize < 0 ? "nothing" : "size " + confirmedSize));
        this.unconfirmedSize = unconfirmedSize;
        this.confirmedSize = confirmedSize;
        this.unconfirmedSince = since;
    }

    /** The newest size accepted without K cosignatures. */
    public long unconfirmedSize() {
        return unconfirmedSize;
    }

    /** The newest size cosigned by K witnesses, or -1 if none. */
    public long confirmedSize() {
        return confirmedSize;
    }

    /** When the oldest unconfirmed checkpoint was accepted. */
    public Instant unconfirmedSince() {
        return unconfirmedSince;
    }
}
