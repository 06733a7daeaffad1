package dev.agentledger.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The full segments of an index kept out of the synced write ({@link LeafIndex}, {@link KeyIndex})
 * whose rows are not in the store yet, oldest first, and the background thread that adds them.
 * A segment stays in the list, readable, until the store has its rows; then it is dropped.
 *
 * @param <S> the index's segment, never changed once sealed
 */
final class SealedSegments<S> implements AutoCloseable {
    /** Adds one segment's rows to the store. */
    @FunctionalInterface
    interface Ingest<S> {
        /** Returns false if the store refused the rows: the segment stays and is tried again later. */
        boolean ingest(S segment);
    }

    private final Ingest<S> ingest;
    private final ExecutorService thread;
    /** Replaced whole, under {@code this}. */
    private volatile List<S> list = List.of();

    SealedSegments(String threadName, Ingest<S> ingest) {
        this.ingest = ingest;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon(true).factory());
    }

    /** The segments waiting, oldest first: a snapshot, safe to read from any thread. */
    List<S> list() {
        return list;
    }

    /** Appends a full segment and has the thread add every waiting one to the store. */
    void add(S segment) {
        synchronized (this) {
            List<S> next = new ArrayList<>(list);
            next.add(segment);
            list = List.copyOf(next);
        }
        thread.execute(this::ingestAll);
    }

    /**
     * Adds every waiting segment to the store, oldest first. One that fails stays (and readable)
     * and is tried again with the next segment sealed, or at {@link #close}.
     */
    private void ingestAll() {
        for (S s : list) {
            if (!ingest.ingest(s)) {
                return;
            }
            synchronized (this) {
                list = List.copyOf(list.subList(1, list.size()));
            }
        }
    }

    /** Waits (up to a minute) for the segments already added to reach the store, then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
