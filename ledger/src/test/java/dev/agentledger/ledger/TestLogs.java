package dev.agentledger.ledger;

import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.nio.file.Path;

/** A fixed test key and configurations that use it. */
final class TestLogs {
    static final String ORIGIN = "test.agentledger.local/log";
    private static final SignerKey KEY = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);

    private TestLogs() {}

    static Ed25519NoteSigner signer() {
        return Ed25519NoteSigner.create(KEY);
    }

    static Ed25519NoteVerifier verifier() {
        return Ed25519NoteVerifier.create(KEY.verifierKey());
    }

    static LedgerConfig config(Path directory) {
        return LedgerConfig.of(directory, ORIGIN, signer(), verifier());
    }
}
