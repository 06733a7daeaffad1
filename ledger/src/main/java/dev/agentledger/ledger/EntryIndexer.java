package dev.agentledger.ledger;

import java.util.List;

/**
 * Checks an entry before it is sequenced and says which {@link IndexKey}s it can be found by.
 * The ledger calls it on the submitting thread, so a refused entry never reaches a batch.
 */
@FunctionalInterface
public interface EntryIndexer {
    /** Accepts any bytes and indexes nothing: for logs of opaque entries. */
    EntryIndexer OPAQUE = entry -> List.of();

    /**
     * Returns the keys of {@code entry}.
     *
     * @throws InvalidEntryException if the entry is malformed
     */
    List<IndexKey> keys(byte[] entry) throws InvalidEntryException;
}
