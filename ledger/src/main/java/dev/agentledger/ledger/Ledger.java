package dev.agentledger.ledger;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.Tiling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The transparency log: appends entries durably into signed checkpoints and serves what auditors
 * need to check it (checkpoints, C2SP tiles, entry bundles, proofs).
 *
 * <p>Security guarantees: an append's future completes only after the entry, every tree node it
 * completed and the checkpoint that includes it are in one synced RocksDB write; reopening the
 * store checks that its nodes reproduce the latest checkpoint's root, that the checkpoint
 * verifies with the log's key, that they still give the root the store was last audited at, and
 * that every entry and node appended since hashes as it must, and refuses to start otherwise, so
 * the log never signs over data that does not extend what it published ({@link #audit} checks
 * every entry and node, also those audited before).
 *
 * <p>Thread-safe. Only complete data is ever visible: reads see a prefix of the log at least as
 * long as the latest checkpoint returned by {@link #checkpoint()}.
 */
public final class Ledger implements AutoCloseable {
    /** The largest entry: the 2-byte length prefix of a C2SP entry bundle. */
    public static final int MAX_ENTRY_BYTES = 65535;
    /** The most results one lookup returns. */
    public static final int MAX_LOOKUP = 1000;
    /**
     * The most entries {@link #entries} reads in one call: a full tile's worth, at most 16 MiB of
     * entries in memory at once.
     */
    public static final int MAX_ENTRIES_READ = Tile.WIDTH;

    private final Store store;
    private final LeafIndex leafIndex;
    private final KeyIndex keyIndex;
    private final CheckpointSigner signer;
    private final EntryIndexer indexer;
    private final Sequencer sequencer;
    /** Background audits, stopped and joined before the store closes. */
    private final List<Thread> audits = new ArrayList<>();

    private Ledger(Store store, LeafIndex leafIndex, KeyIndex keyIndex, CheckpointSigner signer, EntryIndexer indexer, Sequencer sequencer) {
        this.store = store;
        this.leafIndex = leafIndex;
        this.keyIndex = keyIndex;
        this.signer = signer;
        this.indexer = indexer;
        this.sequencer = sequencer;
    }

    /**
     * Opens the log in {@code config.directory()}, creating it (with a signed checkpoint of the
     * empty tree) when new.
     *
     * @throws StorageException if the store cannot be opened, or fails the consistency checks
     *     (its nodes do not reproduce the latest checkpoint or the root of its last audit, the
     *     checkpoint is not this key's, an entry or node appended since the last audit is missing,
     *     unreadable, or does not hash as it must)
     */
    public static Ledger open(LedgerConfig config) {
        return open(config, LeafIndex.DEFAULT_SEGMENT_LEAVES);
    }

    /** {@link #open(LedgerConfig)} with {@code segment} entries per segment of the {@link LeafIndex} and {@link KeyIndex} (tests). */
    static Ledger open(LedgerConfig config, int segment) {
        Store store = Store.open(config.directory());
        LeafIndex leafIndex = null;
        KeyIndex keyIndex = null;
        try {
            CheckpointSigner signer = new CheckpointSigner(config.origin(), config.signer(), config.verifier());
            Recovered state = recover(store, signer);
            StoreAudit.sinceMark(store, auditMark(state));
            leafIndex = LeafIndex.open(store, state.range().size(), config.metrics(), segment);
            keyIndex = KeyIndex.open(store, state.range().size(), config.indexer(), config.metrics(), segment);
            Sequencer sequencer = new Sequencer(store, leafIndex, keyIndex, signer, state, config.metrics(), config.maxBatch(), config.queueCapacity());
            sequencer.start();
            return new Ledger(store, leafIndex, keyIndex, signer, config.indexer(), sequencer);
        } catch (RuntimeException e) {
            if (keyIndex != null) {
                keyIndex.close();
            }
            if (leafIndex != null) {
                leafIndex.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * Audits the whole log in {@code directory} (every entry against its leaf, every node against
     * its children, the latest checkpoint against the stored tree and {@code verifier}), reading it
     * all, where an open reads only what was appended since the last audit. Signs nothing; needs
     * the store closed (no server running on it).
     *
     * @return the latest checkpoint, now audited
     * @throws StorageException if there is no log in {@code directory}, it is in use, or it fails
     *     a check (the message names the first entry or node that does not hash as it must)
     */
    public static SignedCheckpoint audit(java.nio.file.Path directory, String origin, NoteVerifier verifier) {
        if (!java.nio.file.Files.isDirectory(directory)) {
            throw new StorageException("no log store in " + directory);
        }
        try (Store store = Store.open(directory)) {
            if (store.tree().isEmpty() && store.latestCheckpoint().isEmpty()) {
                throw new StorageException("no log in " + directory + ": it has no tree and no checkpoint");
            }
            Recovered state = recover(store, CheckpointSigner.verifying(origin, verifier));
            StoreAudit.full(store, auditMark(state));
            return state.latest();
        }
    }

    private static StoreAudit.Mark auditMark(Recovered state) {
        return new StoreAudit.Mark(state.range().size(), state.latest().checkpoint().root());
    }

    /** The tree and checkpoint found on disk, after checking they agree. */
    record Recovered(CompactRange range, SignedCheckpoint latest) {}

    /**
     * Reads the durable state and checks it; starts a new log in an empty store. Signs again the
     * checkpoint of a last batch whose note was lost (see {@link #checkPreviousCheckpoint}).
     */
    static Recovered recover(Store store, CheckpointSigner signer) {
        Optional<Store.TreeState> tree = store.tree();
        if (tree.isEmpty()) {
            if (store.checkpoint(0).isPresent()) {
                throw new StorageException("inconsistent store: it has a checkpoint but no tree");
            }
            SignedCheckpoint empty = signer.sign(0, Rfc6962.EMPTY_ROOT);
            try (Store.Batch batch = store.newBatch()) {
                batch.putTreeSize(0);
                batch.putCheckpoint(0, empty.noteBytes());
                store.commit(batch);
            }
            return new Recovered(CompactRange.empty(), empty);
        }
        Optional<byte[]> note = store.latestCheckpoint();
        if (note.isEmpty()) {
            checkPreviousCheckpoint(store, signer, tree.get().size());
        }
        CompactRange range;
        try {
            range = CompactRange.of(tree.get().size(), tree.get().border());
        } catch (IllegalArgumentException e) {
            throw new StorageException("corrupted tree state: " + e.getMessage(), e);
        }
        Hash fromNodes = Proofs.root(store::node, range.size());
        // The signed root, or the one the nodes fix for a last batch whose note was lost.
        SignedCheckpoint stored = note.map(signer::open).orElse(null);
        Hash expected = stored != null ? stored.checkpoint().root() : fromNodes;
        if (stored != null && range.size() != stored.size()) {
            throw new StorageException("tree state (size " + range.size() + ") does not match the latest checkpoint (size "
                    + stored.size() + ")");
        }
        // The compact range is read from the stored nodes too, so this check comes first: it
        // names what is wrong.
        if (!fromNodes.equals(expected)) {
            throw new StorageException("stored nodes give root " + fromNodes + " for size " + range.size()
                    + ", the latest checkpoint says " + expected);
        }
        if (!range.root().equals(expected)) {
            throw new StorageException("tree state (size " + range.size() + ", root " + range.root()
                    + ") does not match the latest checkpoint (size " + range.size() + ", root " + expected + ")");
        }
        if (range.size() > 0) {
            long last = range.size() - 1;
            byte[] entry = store.entry(last).orElseThrow(() -> new StorageException("entry " + last + " is missing"));
            if (!Rfc6962.hashLeaf(entry).equals(store.node(0, last))) {
                throw new StorageException("entry " + last + " does not hash to its stored leaf");
            }
        }
        if (store.entry(range.size()).isPresent()) {
            throw new StorageException("the store holds an entry beyond its tree size " + range.size());
        }
        return new Recovered(range, stored != null ? stored : signAgain(store, signer, range));
    }

    /**
     * Checks a tree of size {@code size} whose note is missing: the sequencer stores a batch's
     * note after the batch's synced write, unsynced, so a crash in between leaves the batch
     * durable and its note lost. Each commit syncs every earlier write, so only the last batch
     * can lack its note: the log's previous checkpoint must be stored, and the nodes must
     * reproduce it.
     *
     * @throws StorageException if no earlier checkpoint is stored or the nodes do not reproduce it
     */
    private static void checkPreviousCheckpoint(Store store, CheckpointSigner signer, long size) {
        SignedCheckpoint previous = store.checkpointBefore(size).map(signer::open)
                .orElseThrow(() -> new StorageException("inconsistent store: a tree of size " + size + " but no checkpoint"));
        Hash previousRoot = Proofs.root(store::node, previous.size());
        if (!previousRoot.equals(previous.checkpoint().root())) {
            throw new StorageException("stored nodes give root " + previousRoot + " for size " + previous.size()
                    + ", its checkpoint says " + previous.checkpoint().root());
        }
    }

    /**
     * Signs and stores the checkpoint of the checked tree {@code range} whose note was lost. Its
     * root is fixed by the stored nodes, so this is the same checkpoint (the same note, with a
     * deterministic signature), never a second root for the size.
     *
     * @throws StorageException if {@code signer} holds no key (an audit: the log must be opened
     *     once to sign it)
     */
    private static SignedCheckpoint signAgain(Store store, CheckpointSigner signer, CompactRange range) {
        if (!signer.canSign()) {
            throw new StorageException("the checkpoint of tree size " + range.size() + " (the last batch) was not stored"
                    + " before the log stopped; open the log once to sign it again");
        }
        SignedCheckpoint signed = signer.sign(range.size(), range.root());
        try (Store.Batch batch = store.newBatch()) {
            batch.putCheckpoint(range.size(), signed.noteBytes());
            store.commit(batch);
        }
        return signed;
    }

    /**
     * Writes a consistent copy of the log into {@code target} (which must not exist) while the log
     * keeps serving, then opens the copy and checks it the way a restart would: its stored tree
     * reproduces its latest checkpoint, signed by this log's key.
     *
     * @return the latest checkpoint in the copy: what a server restored from it starts at
     * @throws StorageException if the copy cannot be written or does not pass the checks
     */
    public SignedCheckpoint backup(java.nio.file.Path target) {
        store.backup(target);
        try (Store copy = Store.open(target)) {
            if (copy.tree().isEmpty()) {
                throw new StorageException("the backup in " + target + " holds no tree");
            }
            return recover(copy, signer).latest();
        }
    }

    /**
     * Checks that {@code note}, a checkpoint this log published (one its witnesses cosigned, say),
     * is part of this store's history: signed by the log's key, for at most the store's tree size,
     * and with the root the stored tree gives at its size. A store behind a checkpoint it published
     * was restored from an older copy or lost acknowledged writes; appending to it would sign a
     * second history for sizes already published, so a server must not run on it.
     *
     * @throws StorageException if it is not part of this store's history (the message names both
     *     sizes or roots), or does not verify with the log's key
     */
    public void checkPublished(byte[] note) {
        SignedCheckpoint published = signer.open(note);
        SignedCheckpoint latest = checkpoint();
        if (published.size() > latest.size()) {
            throw new StorageException("this log published a checkpoint at tree size " + published.size()
                    + " but its store holds only " + latest.size() + " entries: the store is behind the log it published"
                    + " (restored from an older backup, or it lost acknowledged writes), and appending would fork the log");
        }
        Hash stored = published.size() == latest.size() ? latest.checkpoint().root() : Proofs.root(store::node, published.size());
        if (!stored.equals(published.checkpoint().root())) {
            throw new StorageException("this log published root " + published.checkpoint().root() + " at tree size "
                    + published.size() + " but its store gives " + stored + ": the store holds another history");
        }
    }

    /** The checkpoint origin. */
    public String origin() {
        return signer.origin();
    }

    /**
     * Appends {@code entry}. The future completes once the entry is durable and included in a
     * signed checkpoint, or fails with {@link InvalidEntryException} (the entry is refused, nothing
     * changed) or {@link LedgerUnavailableException} (not acknowledged; safe to retry with
     * {@code dedupe}). Callbacks on the future run on the ledger's responder thread: keep them short.
     *
     * @param dedupe when an identical entry is already logged, return its index instead of
     *     appending it again
     */
    public CompletableFuture<Appended> append(byte[] entry, boolean dedupe) {
        try {
            return sequencer.submit(pending(entry, dedupe));
        } catch (InvalidEntryException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Appends {@code entries} all or nothing: they are committed in one atomic write and answered
     * in one signed checkpoint, in the order given (each with its own index and proof). The
     * future fails with {@link InvalidEntryException} naming the first refused entry ("entry N of
     * M", N from 0) when any is refused, and nothing is appended; or with {@link
     * LedgerUnavailableException} when the write failed, and then none of them is acknowledged.
     * Callbacks run on the ledger's responder thread.
     *
     * @param dedupe per entry, as {@link #append}'s flag; the same length as {@code entries}
     * @throws IllegalArgumentException if {@code entries} is empty or the lengths differ
     */
    public CompletableFuture<List<Appended>> appendAll(List<byte[]> entries, boolean[] dedupe) {
        if (entries.isEmpty() || entries.size() != dedupe.length) {
            throw new IllegalArgumentException("appendAll of " + entries.size() + " entries with "
                    + dedupe.length + " dedupe flags; want as many, at least one");
        }
        List<Sequencer.Pending> group = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            try {
                group.add(pending(entries.get(i), dedupe[i]));
            } catch (InvalidEntryException e) {
                return CompletableFuture.failedFuture(new InvalidEntryException(
                        "entry " + i + " of " + entries.size() + ": " + e.getMessage()));
            }
        }
        sequencer.submit(group);
        @SuppressWarnings("unchecked")
        CompletableFuture<Appended>[] results = group.stream().map(Sequencer.Pending::result).toArray(CompletableFuture[]::new);
        // Every future of the group completes in the same batch, so "all done" comes at once.
        return CompletableFuture.allOf(results).thenApply(done -> group.stream().map(p -> p.result().join()).toList());
    }

    /** Checks one entry and readies it for the sequencer (a private copy, leaf hash, index keys). */
    private Sequencer.Pending pending(byte[] entry, boolean dedupe) throws InvalidEntryException {
        if (entry.length == 0 || entry.length > MAX_ENTRY_BYTES) {
            throw new InvalidEntryException("entry is " + entry.length + " bytes, want 1 to " + MAX_ENTRY_BYTES);
        }
        byte[] copy = entry.clone();
        List<IndexKey> keys = List.copyOf(indexer.keys(copy));
        return new Sequencer.Pending(copy, Rfc6962.hashLeaf(copy), KeyIndex.prefixes(keys), dedupe, new CompletableFuture<>());
    }

    /** The latest signed checkpoint. */
    public SignedCheckpoint checkpoint() {
        return sequencer.latest();
    }

    /** The checkpoint this log signed for exactly {@code size}, if it published one. */
    public Optional<SignedCheckpoint> checkpoint(long size) {
        return store.checkpoint(size).map(signer::open);
    }

    /**
     * Opens {@code note} if it is a checkpoint this log's key signed for this origin (other
     * signature lines, such as witnesses' cosignatures, are kept unverified), whether or not the
     * store still holds it.
     */
    public Optional<SignedCheckpoint> openOwn(byte[] note) {
        try {
            return Optional.of(signer.open(note));
        } catch (StorageException e) {
            return Optional.empty();
        }
    }

    /** The entry at {@code index}, if the log has one there. */
    public Optional<byte[]> entry(long index) {
        if (index < 0 || index >= checkpoint().size()) {
            return Optional.empty();
        }
        return store.entry(index);
    }

    /**
     * The {@code count} entries from {@code first}, in order, read in one pass over the store: for
     * readers that follow the log entry by entry.
     *
     * @throws IllegalArgumentException unless {@code 0 <= first}, {@code 1 <= count <=}
     *     {@value #MAX_ENTRIES_READ} and {@code first + count <= checkpoint().size()}
     */
    public List<byte[]> entries(long first, int count) {
        if (first < 0 || count < 1 || count > MAX_ENTRIES_READ) {
            throw new IllegalArgumentException("entries from " + first + ", count " + count + " not in [1, " + MAX_ENTRIES_READ + "]");
        }
        requirePublished(first + count);
        return store.entryRange(first, count);
    }

    /**
     * The inclusion proof of {@code index} in the tree of {@code size}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size <= checkpoint().size()}
     */
    public InclusionProof inclusionProof(long index, long size) {
        requirePublished(size);
        return Proofs.inclusion(store::node, index, size);
    }

    /**
     * The consistency proof from {@code size1} to {@code size2}.
     *
     * @throws IllegalArgumentException unless {@code 0 < size1 <= size2 <= checkpoint().size()}
     */
    public ConsistencyProof consistencyProof(long size1, long size2) {
        requirePublished(size2);
        return Proofs.consistency(store::node, size1, size2);
    }

    /**
     * The body of {@code tile} (C2SP tlog-tiles), or empty if the log does not have that many
     * hashes in that tile yet. A partial tile's hashes never change, so any width up to what is
     * there can be served.
     */
    public Optional<byte[]> tile(Tile tile) {
        if (available(tile, checkpoint().size()) < tile.width()) {
            return Optional.empty();
        }
        return Optional.of(store.nodeRow(tile.level() * Tile.HEIGHT, tile.index() * Tile.WIDTH, tile.width()));
    }

    /** The entry bundle of level-0 {@code tile}, or empty if the log does not have it yet. */
    public Optional<byte[]> entryBundle(Tile tile) {
        if (tile.level() != 0) {
            throw new IllegalArgumentException("entry bundles are level-0 tiles, got " + tile);
        }
        if (available(tile, checkpoint().size()) < tile.width()) {
            return Optional.empty();
        }
        return Optional.of(EntryBundle.of(store.entryRange(tile.index() * Tile.WIDTH, tile.width())).toByteArray());
    }

    /** Up to {@code limit} (at most {@link #MAX_LOOKUP}) indexes of entries with {@code key}, from {@code fromIndex}. */
    public List<Long> lookup(IndexKey key, long fromIndex, int limit) {
        if (limit < 1 || limit > MAX_LOOKUP || fromIndex < 0) {
            throw new IllegalArgumentException("limit " + limit + " not in [1, " + MAX_LOOKUP + "] or negative start");
        }
        // The size first: every entry below it is in the key index (see KeyIndex#add).
        return keyIndex.lookup(key, fromIndex, checkpoint().size(), limit);
    }

    /**
     * Audits the whole log while it serves: every entry up to the latest checkpoint against its
     * leaf and every node against its children, including the part audited before that an open
     * no longer reads. A server runs it in the background after it starts. A damage found stops
     * the log: it signs nothing more, and {@link #failure()} says why.
     *
     * @return the checkpoint the log was audited up to
     * @throws StorageException naming the first entry or node that is missing, unreadable or does
     *     not hash as it must (the log is then stopped)
     */
    public SignedCheckpoint auditWhileServing() {
        SignedCheckpoint upTo = checkpoint();
        try {
            StoreAudit.whileServing(store, new StoreAudit.Mark(upTo.size(), upTo.checkpoint().root()));
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            sequencer.halt(e);
            throw e;
        }
        return upTo;
    }

    /**
     * Runs {@link #auditWhileServing()} on a thread of its own; closing the log stops it.
     *
     * @return completes with the checkpoint audited up to, or with the damage found (the log is
     *     then stopped), or is cancelled if the log closed first
     */
    public CompletableFuture<SignedCheckpoint> auditInBackground() {
        CompletableFuture<SignedCheckpoint> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("ledger-audit").daemon(true).unstarted(() -> {
            try {
                result.complete(auditWhileServing());
            } catch (CancellationException e) {
                result.cancel(false);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        synchronized (audits) {
            audits.add(thread);
        }
        thread.start();
        return result;
    }

    /** Why the log stopped accepting appends, if it did (the server reports it as not ready). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(sequencer.fatal());
    }

    private static int available(Tile tile, long size) {
        return Tiling.width(tile.level(), tile.index(), size);
    }

    private void requirePublished(long size) {
        long published = checkpoint().size();
        if (size > published) {
            throw new IllegalArgumentException("tree size " + size + " is beyond the latest checkpoint's " + published);
        }
    }

    /** Finishes the batch in hand, fails what still waits, and closes the store. */
    @Override
    public void close() {
        sequencer.close();
        leafIndex.close();
        keyIndex.close();
        synchronized (audits) {
            audits.forEach(Thread::interrupt);
            try {
                for (Thread audit : audits) {
                    audit.join(Duration.ofSeconds(30)); // it stops between two tiles
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }
}
