package dev.agentledger.ledger;

/** What the log reports about its write path; the server adapts it to its metrics registry. */
public interface LedgerMetrics {
    /** Reports nothing. */
    LedgerMetrics NONE = new LedgerMetrics() {};

    /** A batch of {@code entries} new entries was committed; the synced write took {@code syncNanos}. */
    default void committed(int entries, long syncNanos) {}

    /**
     * A batch of {@code appends} appends (new and duplicate) was committed and handed to the
     * responder {@code nanos} after the sequencer took it from the queue.
     */
    default void batch(int appends, long nanos) {}

    /**
     * The leaf-hash rows of {@code leaves} leaves were added to the store as one table file (see
     * {@link LeafIndex}), sorting and writing them took {@code nanos}.
     */
    default void leafRowsAdded(int leaves, long nanos) {}

    /**
     * Adding leaf-hash rows to the store failed; they stay in memory and are tried again with the
     * next segment, and dedupe still finds them.
     */
    default void leafRowsFailed() {}

    /**
     * The lookup rows (SPIFFE ID, serial, token id) of a segment, {@code rows} of them, were added to
     * the store as one table file (see {@link KeyIndex}); sorting and writing them took {@code nanos}.
     */
    default void keyRowsAdded(int rows, long nanos) {}

    /**
     * Adding lookup rows to the store failed; they stay in memory and are tried again with the
     * next segment, and lookups still find them.
     */
    default void keyRowsFailed() {}
}
