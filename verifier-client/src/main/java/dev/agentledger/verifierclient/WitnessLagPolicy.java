package dev.agentledger.verifierclient;

import java.time.Duration;

/**
 * How long {@link CheckpointTracker} relies on checkpoints signed by the log alone: a checkpoint
 * with fewer than K witness cosignatures is accepted only while the oldest such acceptance is at
 * most {@code confirmWithin} old, and must be confirmed by a cosigned checkpoint (at least as
 * large, proven consistent) before then.
 *
 * @param confirmWithin the deadline, positive; a few witness intervals (witnesses cosign about
 *     once a second), e.g. 10 seconds
 */
public record WitnessLagPolicy(Duration confirmWithin) {
    /** Ten seconds: ten witness intervals of about one second. */
    public static final WitnessLagPolicy DEFAULT = new WitnessLagPolicy(Duration.ofSeconds(10));

    /** Never accept a checkpoint without K cosignatures. */
    public static final WitnessLagPolicy CONFIRMED_ONLY = new WitnessLagPolicy(Duration.ZERO);

    /** Validates; throws {@link IllegalArgumentException} on a negative deadline. */
    public WitnessLagPolicy {
        if (confirmWithin.isNegative()) {
            throw new IllegalArgumentException("deadline " + confirmWithin + " is negative");
        }
    }
}
