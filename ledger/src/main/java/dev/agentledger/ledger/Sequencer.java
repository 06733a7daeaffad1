package dev.agentledger.ledger;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Proofs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sequencing: one thread takes the appends waiting in the queue as a batch, assigns their indexes,
 * integrates them, commits them in one synced write while another thread signs the new
 * checkpoint, stores that checkpoint, and only then answers each caller. While a batch is being
 * synced the next one fills in the queue (group commit), so the batch size grows with the load.
 *
 * <p>A storage failure fails the batch's callers and reloads the tree from what is actually
 * durable, so memory never runs ahead of disk; the next batch first reopens the store (RocksDB
 * takes no write after a failed one until then), so appends resume by themselves once the
 * cause (say, a full disk) is gone. If reloading fails the sequencer stops: every
 * waiting and later append fails with {@link LedgerUnavailableException} until the log is
 * reopened.
 */
final class Sequencer implements AutoCloseable {
    /** The largest batch answered on the sequencer's own thread (when the responder is idle). */
    static final int INLINE_ANSWER_MAX = 16;
    private final Store store;
    private final LeafIndex leafIndex;
    private final KeyIndex keyIndex;
    private final CheckpointSigner signer;
    private final LedgerMetrics metrics;
    private final int maxBatch;
    /** Groups of appends; a group is never split across batches, so it commits all or nothing. */
    private final BlockingQueue<List<Pending>> queue;
    private final Thread thread;
    private final Responder responder = new Responder();
    /** Signs each batch's checkpoint while the batch's synced write runs. */
    private final ExecutorService signingThread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("ledger-signer").daemon(true).factory());

    private volatile boolean running = true;
    private volatile Throwable fatal;
    private volatile SignedCheckpoint latest;
    private CompactRange range;

    /**
     * One append waiting for its batch. The leaf hash and the index keys' row prefixes ({@link
     * Store#indexPrefix}) are computed by the submitting thread.
     */
    record Pending(byte[] entry, Hash leaf, byte[][] keys, boolean dedupe, CompletableFuture<Appended> result) {}

    Sequencer(
            Store store,
            LeafIndex leafIndex,
            KeyIndex keyIndex,
            CheckpointSigner signer,
            Ledger.Recovered state,
            LedgerMetrics metrics,
            int maxBatch,
            int queueCapacity) {
        this.store = store;
        this.leafIndex = leafIndex;
        this.keyIndex = keyIndex;
        this.signer = signer;
        this.range = state.range();
        this.latest = state.latest();
        this.metrics = metrics;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().name("ledger-sequencer").daemon(true).unstarted(this::run);
    }

    void start() {
        responder.start();
        thread.start();
    }

    /** Queues an append; the future completes once the entry is durable and in a signed checkpoint. */
    CompletableFuture<Appended> submit(Pending pending) {
        submit(List.of(pending));
        return pending.result();
    }

    /**
     * Queues a group of appends that go into one batch together (a group larger than the batch
     * limit is a batch of its own), so they share one atomic write and one checkpoint: all of them
     * are committed or none. Each future completes as {@link #submit(Pending)}'s does.
     */
    void submit(List<Pending> group) {
        if (!running || fatal != null) {
            failAll(group, unavailable(fatal != null
                    ? "the log has stopped: " + fatal.getMessage() : "the log is closed"));
        } else if (!queue.offer(group)) {
            failAll(group, unavailable("the log is overloaded (" + queue.size()
                    + " appends waiting); retry with backoff"));
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                List<Pending> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.addAll(first);
                // Whole groups only, while they fit; this thread is the only consumer, so the
                // group peeked is the group polled.
                for (List<Pending> next = queue.peek(); next != null && batch.size() + next.size() <= maxBatch; next = queue.peek()) {
                    batch.addAll(queue.poll());
                }
                if (store.needsReopen()) {
                    reopenStore();
                }
                sequence(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                failAll(batch, e);
                recoverOrStop(e);
            } finally {
                batch.clear();
            }
        }
        failAll(drain(), fatal != null ? fatal : new IllegalStateException("the log is closed"));
    }

    /** Sequences one batch. The commit order is written where it happens. */
    private void sequence(List<Pending> batch) {
        long start = System.nanoTime();
        // 1. Assign indexes: duplicates (when asked) point at the entry already logged.
        long next = range.size();
        List<Hash> leaves = new ArrayList<>(batch.size());
        long[] indexes = new long[batch.size()];
        boolean[] duplicate = new boolean[batch.size()];
        // Only a dedupe append looks for an earlier copy in its batch: without one, no map.
        Map<Hash, Long> inBatch = batch.stream().anyMatch(Pending::dedupe) ? new HashMap<>() : null;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            OptionalLong existing = p.dedupe() ? existingIndex(p.leaf(), inBatch) : OptionalLong.empty();
            if (existing.isPresent()) {
                indexes[i] = existing.getAsLong();
                duplicate[i] = true;
            } else {
                indexes[i] = next++;
                leaves.add(p.leaf());
                if (inBatch != null) {
                    inBatch.putIfAbsent(p.leaf(), indexes[i]);
                }
            }
        }
        SignedCheckpoint checkpoint;
        NodeSource nodes;
        if (leaves.isEmpty()) {
            // Nothing new: the answers point into the latest checkpoint.
            checkpoint = latest;
            nodes = store::node;
        } else {
            try (Store.Batch write = store.newBatch()) {
                // 2. Stage the entries. Their index rows (leaf hash, lookup keys) are not written
                //    here: the leaf and key indexes add them later, sorted, in table files of their own.
                List<byte[][]> keys = new ArrayList<>(leaves.size());
                for (int i = 0; i < batch.size(); i++) {
                    if (!duplicate[i]) {
                        Pending p = batch.get(i);
                        write.putEntry(indexes[i], p.entry());
                        keys.add(p.keys());
                    }
                }
                // 3. Integrate: every completed node is staged in the same write.
                Integrator.Integrated integrated = Integrator.integrate(range, leaves, write, store);
                long size = integrated.range().size();
                // 4. Sign the new root on the signer thread while the batch commits. A crash
                //    before the commit leaves a signature nobody ever saw.
                Signing signing = new Signing(signer, size, integrated.range().root());
                signing.startOn(signingThread);
                write.putTreeSize(size);
                // 5. Commit: one atomic, synced write. At this point the batch is durable and
                //    recovery would find exactly this tree; its root is fixed by the nodes.
                long syncStart = System.nanoTime();
                store.commit(write);
                metrics.committed(leaves.size(), System.nanoTime() - syncStart);
                leafIndex.add(range.size(), leaves);
                // Before the checkpoint is published: a lookup that knows of it finds these entries.
                keyIndex.add(range.size(), keys);
                // 6. Store the checkpoint, unsynced: the next batch's commit makes it durable. A
                //    crash before that loses only the note, and recovery signs the same root for
                //    the same size again (Ed25519 is deterministic: the same note). So no answer
                //    waits for a second sync, and the log never holds two roots for one size.
                checkpoint = signing.get();
                storeNote(size, checkpoint);
                range = integrated.range();
                latest = checkpoint;
                nodes = integrated.nodes();
            }
        }
        // 7. Answer: each caller gets its index and the proof to the checkpoint just committed.
        //    A small batch is answered here when the responder has nothing in hand (answers stay
        //    in commit order): its few proofs cost less than waking another thread. Larger
        //    batches' proofs are built on the responder thread while this one sequences the next.
        if (batch.size() <= INLINE_ANSWER_MAX && responder.idle()) {
            Responder.complete(batch, indexes, duplicate, checkpoint, nodes);
        } else {
            responder.answer(List.copyOf(batch), indexes, duplicate, checkpoint, nodes);
        }
        metrics.batch(batch.size(), System.nanoTime() - start);
    }

    /**
     * Writes the note of a committed batch. If that fails (a full disk), the batch is still
     * durable and its note can be signed again, so its callers are answered all the same; the
     * failed write makes the next batch reopen the store, whose recovery stores the note again.
     */
    private void storeNote(long size, SignedCheckpoint checkpoint) {
        try (Store.Batch note = store.newBatch()) {
            note.putCheckpoint(size, checkpoint.noteBytes());
            store.write(note);
        } catch (StorageException e) {
            if (!store.needsReopen()) {
                throw e;
            }
        }
    }

    private OptionalLong existingIndex(Hash leaf, Map<Hash, Long> inBatch) {
        Long index = inBatch.get(leaf);
        return index != null ? OptionalLong.of(index) : leafIndex.indexOf(leaf);
    }

    /**
     * After a failed write RocksDB refuses every later one (a full disk, an I/O error) until the
     * store is reopened; the reopened store may hold the batch that failed (the write can fail
     * after it reached the write-ahead log), so the tree is reloaded from it. While the disk is
     * still full this throws and the batch fails; the next one tries again.
     */
    private void reopenStore() {
        store.reopen();
        Ledger.Recovered state = Ledger.recover(store, signer);
        range = state.range();
        latest = state.latest();
        leafIndex.catchUp(range.size());
        keyIndex.catchUp(range.size());
    }

    /** After a failed batch: reload the tree from what is durable, or stop if that fails too. */
    private void recoverOrStop(Throwable cause) {
        try {
            Ledger.Recovered state = Ledger.recover(store, signer);
            range = state.range();
            latest = state.latest();
            leafIndex.catchUp(range.size());
            keyIndex.catchUp(range.size());
        } catch (RuntimeException e) {
            if (store.needsReopen()) {
                return; // the store refuses writes until reopened; the next batch reopens it and reloads the tree first
            }
            e.addSuppressed(cause);
            fatal = e;
            running = false;
        }
    }

    private List<Pending> drain() {
        List<List<Pending>> groups = new ArrayList<>();
        queue.drainTo(groups);
        List<Pending> rest = new ArrayList<>();
        groups.forEach(rest::addAll);
        return rest;
    }

    private static void failAll(List<Pending> batch, Throwable cause) {
        LedgerUnavailableException failure = cause instanceof LedgerUnavailableException u
                ? u : unavailable("the log could not commit: " + cause.getMessage(), cause);
        for (Pending p : batch) {
            p.result().completeExceptionally(failure);
        }
    }

    private static LedgerUnavailableException unavailable(String message) {
        return new LedgerUnavailableException(message, null);
    }

    private static LedgerUnavailableException unavailable(String message, Throwable cause) {
        return new LedgerUnavailableException(message, cause);
    }

    /** The latest committed checkpoint. */
    SignedCheckpoint latest() {
        return latest;
    }

    /** Stops the log for good because of {@code cause} (a damaged store): after the batch in hand it signs nothing more. */
    void halt(Throwable cause) {
        fatal = cause;
        running = false;
    }

    /** Why the sequencer stopped, if it did. */
    Throwable fatal() {
        return fatal;
    }

    /** Stops taking appends, finishes the batch in hand, and fails whatever still waits. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            responder.close();
            signingThread.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The signature of one batch's checkpoint: run by the signer thread, or by the sequencer when
     * it needs the result and that thread has not started it (a busy machine), so a late signer
     * thread never delays a batch by more than the signature itself.
     */
    private static final class Signing implements Runnable {
        private final CheckpointSigner signer;
        private final long size;
        private final Hash root;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<SignedCheckpoint> result = new CompletableFuture<>();

        Signing(CheckpointSigner signer, long size, Hash root) {
            this.signer = signer;
            this.size = size;
            this.root = root;
        }

        void startOn(ExecutorService executor) {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                // Closing: get() signs on the caller's thread.
            }
        }

        @Override
        public void run() {
            if (claimed.compareAndSet(false, true)) {
                try {
                    result.complete(signer.sign(size, root));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            }
        }

        /** The signed checkpoint; signs it here if the signer thread has not begun. */
        SignedCheckpoint get() {
            run();
            try {
                return result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }
    }

    /**
     * Builds the proofs of committed batches and completes their callers' futures, in commit
     * order, on a thread of its own. A bounded hand-off: when it falls behind, the sequencer waits.
     */
    private static final class Responder {
        private record Answer(List<Pending> batch, long[] indexes, boolean[] duplicate, SignedCheckpoint checkpoint, NodeSource nodes) {}

        private static final Answer STOP = new Answer(List.of(), new long[0], new boolean[0], null, null);

        private final BlockingQueue<Answer> answers = new ArrayBlockingQueue<>(64);
        /** Batches handed over and not yet answered. */
        private final AtomicInteger inHand = new AtomicInteger();
        private final Thread thread = Thread.ofPlatform().name("ledger-responder").daemon(true).unstarted(this::run);

        void start() {
            thread.start();
        }

        /**
         * Whether every batch handed over so far is answered. Only the sequencer hands batches
         * over, so once it sees true from its own thread, the responder stays idle until its
         * next {@link #answer}.
         */
        boolean idle() {
            return inHand.get() == 0;
        }

        void answer(List<Pending> batch, long[] indexes, boolean[] duplicate, SignedCheckpoint checkpoint, NodeSource nodes) {
            inHand.incrementAndGet();
            try {
                answers.put(new Answer(batch, indexes, duplicate, checkpoint, nodes));
            } catch (InterruptedException e) {
                inHand.decrementAndGet();
                Thread.currentThread().interrupt();
                fail(batch, e);
            }
        }

        private void run() {
            while (true) {
                Answer a;
                try {
                    a = answers.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (a == STOP) {
                    return;
                }
                try {
                    complete(a.batch(), a.indexes(), a.duplicate(), a.checkpoint(), a.nodes());
                } finally {
                    inHand.decrementAndGet();
                }
            }
        }

        /** Builds each committed append's inclusion proof and completes its future. */
        static void complete(List<Pending> batch, long[] indexes, boolean[] duplicate, SignedCheckpoint checkpoint, NodeSource nodes) {
            try {
                Proofs prover = Proofs.forTree(nodes, checkpoint.size());
                for (int i = 0; i < batch.size(); i++) {
                    Pending p = batch.get(i);
                    p.result().complete(new Appended(indexes[i], p.leaf(), checkpoint, prover.inclusion(indexes[i]), duplicate[i]));
                }
            } catch (RuntimeException e) {
                // The entries are durable; only their proofs could not be built. The caller
                // may retry with dedupe to get its index and proof.
                fail(batch, e);
            }
        }

        private static void fail(List<Pending> batch, Throwable cause) {
            for (Pending p : batch) {
                p.result().completeExceptionally(new LedgerUnavailableException(
                        "the entry was committed but its proof could not be built: " + cause.getMessage()
                                + "; retry with dedupe to fetch it", cause));
            }
        }

        void close() throws InterruptedException {
            answers.put(STOP);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
