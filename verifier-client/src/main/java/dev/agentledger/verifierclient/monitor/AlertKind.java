package dev.agentledger.verifierclient.monitor;

/** What an {@link Alert} is about; the lower-case {@link #label()} is used in JSON, counters and stderr. */
public enum AlertKind {
    /** A SPIFFE ID in an entry matches none of the expected patterns. */
    UNEXPECTED_ID,
    /** An SVID was issued to a SPIFFE ID (or agent instance) that no earlier entry registered. */
    UNREGISTERED_ISSUANCE,
    /** A credential was issued to a SPIFFE ID or agent instance that an earlier entry revoked. */
    ISSUANCE_TO_REVOKED,
    /** A logged entry is not a valid {@code LogEntry}. */
    MALFORMED_ENTRY,
    /** A checkpoint did not verify: bad note, wrong origin, no log signature, too few cosignatures. */
    CHECKPOINT_INVALID,
    /** A checkpoint is not consistent with the one verified before: the log forked. */
    FORK,
    /** The log's entry bundles do not hash to the root its checkpoint signs. */
    ROOT_MISMATCH,
    /** A gossip peer holds a checkpoint of this log inconsistent with ours: a split view. */
    SPLIT_VIEW,
    /**
     * The issuer flagged a decision as new for its agent (a first-ever resource and action, a rate
     * far above its own, an unusual hour): {@code first_use}, {@code rate_spike}, {@code off_hours}.
     */
    ANOMALY;

    /** The kind in lower case with dashes, e.g. {@code split-view}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
