package dev.agentledger.issuer.policy;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.LogEntry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** A real log in a directory, with a fixed test key and a hand-moved clock; reopened on the same directory after a restart. */
final class GateLog implements AutoCloseable {
    static final String ORIGIN = "test.agentledger.local/log";
    static final String TRUST_DOMAIN = "agents.example";
    static final SpiffeId AUTHORITY = SpiffeId.of(TRUST_DOMAIN, "agentledger/issuer");
    static final SpiffeId OPERATOR = SpiffeId.of(TRUST_DOMAIN, "operator/alice");

    final Ledger ledger;
    final ManualClock clock;
    final PolicyConfig config;

    GateLog(Path directory, ManualClock clock) {
        SignerKey key = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);
        ledger = Ledger.open(LedgerConfig.of(directory, ORIGIN, Ed25519NoteSigner.create(key),
                Ed25519NoteVerifier.create(key.verifierKey())).withIndexer(LogEntryIndexer.INSTANCE));
        this.clock = clock;
        config = new PolicyConfig(AUTHORITY, clock, new SecureRandom(), PolicyConfig.DEFAULT_APPROVAL_LIFETIME,
                CedarPolicy.DEFAULT_NUMERIC_KEYS);
    }

    long size() {
        return ledger.checkpoint().size();
    }

    /** Entry {@code index}, parsed from the bytes the log stores. */
    LogEntry entry(long index) throws Exception {
        return LogEntries.parse(ledger.entry(index).orElseThrow());
    }

    /** Every entry, parsed. */
    List<LogEntry> entries() throws Exception {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = 0; i < size(); i++) {
            entries.add(entry(i));
        }
        return entries;
    }

    @Override
    public void close() {
        ledger.close();
    }
}
