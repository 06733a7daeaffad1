package dev.agentledger.issuer;

import dev.agentledger.ledger.IndexKey;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.util.ArrayList;
import java.util.List;

/** The entries the issuer itself appended about one token id, found through the log's token id index. */
final class TokenEntries {
    /** One entry with its index. */
    record Indexed(long index, LogEntry entry) {}

    private TokenEntries() {}

    /**
     * Every entry about {@code tokenId} whose header names {@code authority} as its writer (raw
     * appends by other identities never count), in log order.
     *
     * @throws IllegalStateException if the log holds an entry that does not parse (it validated it once)
     */
    static List<Indexed> about(Ledger ledger, String tokenId, String authority) {
        List<Indexed> found = new ArrayList<>();
        long from = 0;
        while (true) {
            List<Long> indexes = ledger.lookup(new IndexKey(IndexKey.Kind.TOKEN_ID, tokenId), from, Ledger.MAX_LOOKUP);
            for (long index : indexes) {
                LogEntry entry = parse(ledger, index);
                if (entry.getHeader().getCallerSpiffeId().equals(authority)) {
                    found.add(new Indexed(index, entry));
                }
            }
            if (indexes.size() < Ledger.MAX_LOOKUP) {
                return found;
            }
            from = indexes.get(indexes.size() - 1) + 1;
        }
    }

    static LogEntry parse(Ledger ledger, long index) {
        try {
            return LogEntries.parse(ledger.entry(index).orElseThrow());
        } catch (MalformedEntryException e) {
            throw new IllegalStateException("log entry " + index + " does not parse, yet the log validated it", e);
        }
    }
}
