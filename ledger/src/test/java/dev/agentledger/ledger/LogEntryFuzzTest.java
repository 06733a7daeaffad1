package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.util.List;

/**
 * Fuzzes protobuf {@code LogEntry} decoding and the validation the ledger applies before it
 * sequences an entry ({@link LogEntryIndexer#keys}): the only exception out is
 * {@link InvalidEntryException}. An accepted entry also parses with {@link LogEntries#parse}, and its
 * deterministic re-serialization parses back to an equal message with the same index keys (the
 * bytes themselves may differ: protobuf encoding is not canonical).
 *
 * <p>Seeds, one per event kind: {@code LogEntryFuzzTestInputs/acceptEntry/}.
 */
class LogEntryFuzzTest {
    @FuzzTest
    void acceptEntry(byte[] input) throws MalformedEntryException, InvalidEntryException {
        List<IndexKey> keys;
        try {
            keys = LogEntryIndexer.INSTANCE.keys(input);
        } catch (InvalidEntryException expected) {
            return;
        }
        LogEntry entry = LogEntries.parse(input);
        assertFalse(LogEntries.kind(entry).equals("none"));
        byte[] again = LogEntries.serialize(entry);
        assertEquals(entry, LogEntries.parse(again));
        assertEquals(keys, LogEntryIndexer.INSTANCE.keys(again));
    }
}
