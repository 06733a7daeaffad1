package dev.agentledger.issuer;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A log with a fixed test key and an issuer on it, both new for each test. */
final class TestLog implements AutoCloseable {
    static final String ORIGIN = "test.agentledger.local/log";
    static final String TRUST_DOMAIN = "agents.example";
    static final Instant START = Instant.parse("2026-11-20T10:00:00Z");

    final Ledger ledger;
    final TestClock clock = new TestClock(START);
    final IssuerConfig config;
    final Issuer issuer;

    TestLog(Path directory) throws IssuanceException {
        this(directory, IssuerConfig.DEFAULT_KEY_LIFETIME);
    }

    TestLog(Path directory, Duration keyLifetime) throws IssuanceException {
        SignerKey key = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);
        ledger = Ledger.open(LedgerConfig.of(directory, ORIGIN, Ed25519NoteSigner.create(key),
                Ed25519NoteVerifier.create(key.verifierKey())).withIndexer(LogEntryIndexer.INSTANCE));
        config = new IssuerConfig(TRUST_DOMAIN, clock, new SecureRandom(), keyLifetime, IssuerConfig.DEFAULT_REFRESH_HINT);
        issuer = Issuer.create(ledger, config);
    }

    /** The log's size (entries in the latest checkpoint). */
    long size() {
        return ledger.checkpoint().size();
    }

    /** The raw bytes of entry {@code index}. */
    byte[] entryBytes(long index) {
        return ledger.entry(index).orElseThrow();
    }

    /** Every entry, parsed. */
    List<LogEntry> entries() throws MalformedEntryException {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = 0; i < size(); i++) {
            entries.add(LogEntries.parse(entryBytes(i)));
        }
        return entries;
    }

    @Override
    public void close() {
        ledger.close();
    }
}
