package dev.agentledger.verifierclient;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.VerifierKey;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint whose log signature verified, with the witnesses whose {@code cosignature/v1}
 * verified and the time each one signed. Only {@link LogVerifier} makes these, so holding one means
 * the log's key signed this checkpoint for the configured origin. Immutable.
 *
 * <p>{@link #isConfirmed()} says whether at least the configured threshold K of witnesses cosigned
 * it; a checkpoint that is not confirmed is only as good as the log's word (see {@link
 * CheckpointTracker} for how long that is accepted).
 */
public final class VerifiedCheckpoint {
    private final Checkpoint checkpoint;
    private final String note;
    private final Map<VerifierKey, Instant> cosignatures;
    private final int threshold;

    VerifiedCheckpoint(Checkpoint checkpoint, String note, Map<VerifierKey, Instant> cosignatures, int threshold) {
        this.checkpoint = checkpoint;
        this.note = note;
        this.cosignatures = Collections.unmodifiableMap(new LinkedHashMap<>(cosignatures));
        this.threshold = threshold;
    }

    /** The parsed checkpoint body. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The tree size. */
    public long size() {
        return checkpoint.size();
    }

    /** The root hash at {@link #size()}. */
    public Hash root() {
        return checkpoint.root();
    }

    /** The signed note exactly as received, all its signature lines included: the evidence. */
    public String note() {
        return note;
    }

    /** The configured witnesses whose cosignature verified, with their signing time, in note order. */
    public Map<VerifierKey, Instant> cosignatures() {
        return cosignatures;
    }

    /** True if at least the threshold K of configured witnesses cosigned (always true when K is 0). */
    public boolean isConfirmed() {
        return cosignatures.size() >= threshold;
    }

    @Override
    public String toString() {
        return "VerifiedCheckpoint[" + checkpoint.origin() + " size " + size() + " root " + root()
                + ", " + cosignatures.size() + " of " + threshold + " required cosignatures]";
    }
}
