package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decodes entries, checks them against the {@link AlertRules} and appends them to the {@link
 * Inventory} on one thread of its own, in the order bundles are handed in, while the monitor's
 * thread goes on fetching and hashing. At most {@link #MAX_IN_FLIGHT} bundles wait, which bounds
 * the memory of the pipeline. Used by one monitor thread at a time.
 */
final class EntryRecorder implements AutoCloseable {
    /** Bundles handed in and not yet recorded, at most. */
    static final int MAX_IN_FLIGHT = 16;

    private final Inventory inventory;
    private final AlertRules rules;
    private final AlertSink alerts;
    private final Deque<Future<Void>> inFlight = new ArrayDeque<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "agentledger-monitor-recorder");
        t.setDaemon(true);
        return t;
    });

    EntryRecorder(Inventory inventory, AlertRules rules, AlertSink alerts) {
        this.inventory = inventory;
        this.rules = rules;
        this.alerts = alerts;
    }

    /**
     * Queues entries {@code from .. width-1} of the bundle of level-0 {@code tile}; waits first if
     * {@link #MAX_IN_FLIGHT} bundles are queued.
     *
     * @throws IOException if recording an earlier bundle failed
     */
    void submit(Tile tile, int from, EntryBundle bundle) throws IOException {
        inFlight.add(thread.submit(() -> {
            for (int i = from; i < tile.width(); i++) {
                record(EntryRecords.record(tile.firstLeaf() + i, bundle.entry(i)));
            }
            return null;
        }));
        if (inFlight.size() > MAX_IN_FLIGHT) {
            await(inFlight.removeFirst());
        }
    }

    private void record(InventoryRecord record) throws IOException {
        for (Alert alert : rules.check(record, inventory)) {
            alerts.send(alert);
        }
        inventory.append(record);
    }

    /**
     * Waits until every queued bundle is recorded.
     *
     * @throws IOException if recording one failed; the rest are still waited for
     */
    void drain() throws IOException {
        IOException first = null;
        RuntimeException unchecked = null;
        while (!inFlight.isEmpty()) {
            try {
                await(inFlight.removeFirst());
            } catch (IOException e) {
                first = first == null ? e : first;
            } catch (RuntimeException e) {
                unchecked = unchecked == null ? e : unchecked;
            }
        }
        if (first != null) {
            throw first;
        }
        if (unchecked != null) {
            throw unchecked;
        }
    }

    /** Waits for one bundle's records; rethrows what recording them threw. */
    private static void await(Future<Void> done) throws IOException {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while recording entries", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /** Stops the thread; call {@link #drain()} first to keep what is queued. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
