package dev.agentledger.server.witness;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignerKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** A real ledger whose signed checkpoint notes are remembered by size; entries are {@code <prefix>-<i>}. */
final class TestLedger implements AutoCloseable {
    final Ledger ledger;
    private final String prefix;
    private final Map<Long, String> notes = new HashMap<>();

    TestLedger(Path dir, String origin, SignerKey key, String prefix) {
        this.ledger = Ledger.open(LedgerConfig.of(dir, origin, Ed25519NoteSigner.create(key),
                Ed25519NoteVerifier.create(key.verifierKey())));
        this.prefix = prefix;
    }

    /** Appends until the log has {@code size} entries, one at a time, and remembers the note. */
    TestLedger growTo(long size) throws InterruptedException, ExecutionException {
        while (ledger.checkpoint().size() < size) {
            ledger.append((prefix + "-" + ledger.checkpoint().size()).getBytes(StandardCharsets.UTF_8), false).get();
        }
        notes.put(size, ledger.checkpoint().note());
        return this;
    }

    String note(long size) {
        String note = notes.get(size);
        if (note == null) {
            throw new IllegalArgumentException("no note remembered at size " + size);
        }
        return note;
    }

    ConsistencyProof consistency(long size1, long size2) {
        return ledger.consistencyProof(size1, size2);
    }

    @Override
    public void close() {
        ledger.close();
    }
}
