package dev.agentledger.ledger;

import dev.agentledger.merkle.note.NoteSigner;
import dev.agentledger.merkle.note.NoteVerifier;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link Ledger}.
 *
 * @param directory where the RocksDB store lives (created if missing)
 * @param origin the checkpoint origin line, e.g. {@code agentledger.local/log}
 * @param signer the log's checkpoint key
 * @param verifier the verifier of that same key, to check what the store holds on reopening
 * @param indexer checks entries and names their index keys
 * @param metrics receives write-path measurements
 * @param maxBatch the most appends sequenced in one batch (one sync, one signature)
 * @param queueCapacity the most appends waiting; more are refused as overload
 */
public record LedgerConfig(
        Path directory,
        String origin,
        NoteSigner signer,
        NoteVerifier verifier,
        EntryIndexer indexer,
        LedgerMetrics metrics,
        int maxBatch,
        int queueCapacity) {
    /** Default most appends per batch. */
    public static final int DEFAULT_MAX_BATCH = 4096;
    /** Default most appends waiting. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65536;

    /** Validates; throws {@link IllegalArgumentException} or {@link NullPointerException}. */
    public LedgerConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(indexer, "indexer");
        Objects.requireNonNull(metrics, "metrics");
        if (origin == null || origin.isEmpty() || origin.contains("\n")) {
            throw new IllegalArgumentException("origin must be one non-empty line");
        }
        if (!signer.name().equals(verifier.name()) || !signer.keyId().equals(verifier.keyId())) {
            throw new IllegalArgumentException("signer and verifier are not the same key");
        }
        if (maxBatch < 1 || queueCapacity < maxBatch) {
            throw new IllegalArgumentException("need 1 <= maxBatch <= queueCapacity");
        }
    }

    /** A configuration with opaque entries, no metrics and the default batch limits. */
    public static LedgerConfig of(Path directory, String origin, NoteSigner signer, NoteVerifier verifier) {
        return new LedgerConfig(
                directory, origin, signer, verifier, EntryIndexer.OPAQUE, LedgerMetrics.NONE,
                DEFAULT_MAX_BATCH, DEFAULT_QUEUE_CAPACITY);
    }

    /** The same configuration with another indexer. */
    public LedgerConfig withIndexer(EntryIndexer indexer) {
        return new LedgerConfig(directory, origin, signer, verifier, indexer, metrics, maxBatch, queueCapacity);
    }

    /** The same configuration with another metrics sink. */
    public LedgerConfig withMetrics(LedgerMetrics metrics) {
        return new LedgerConfig(directory, origin, signer, verifier, indexer, metrics, maxBatch, queueCapacity);
    }

    /** The same configuration with other batch limits. */
    public LedgerConfig withBatching(int maxBatch, int queueCapacity) {
        return new LedgerConfig(directory, origin, signer, verifier, indexer, metrics, maxBatch, queueCapacity);
    }
}
