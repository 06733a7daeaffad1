package dev.agentledger.server.proxy;

import dev.agentledger.proto.v1.LogEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Ships the journal's call records to the authority's log after the calls were answered: several
 * workers append concurrently (the ledger client may carry concurrent appends in one batch), and
 * each record is forgotten by the journal only once the authority acknowledged it (durable and in
 * a signed checkpoint). An append that fails is retried, with a growing pause, until it succeeds
 * or the shipper is closed; what is left then stays in the journal and is shipped at the next
 * start. Thread-safe.
 */
final class RecordShipper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecordShipper.class.getName());
    private static final Duration MAX_PAUSE = Duration.ofSeconds(10);

    private record Shipment(long sequence, LogEntry entry, ToolCallRecorder recorder) {}

    private final CallJournal journal;
    private final Function<String, ToolCallRecorder> recorders;
    private final LinkedBlockingQueue<Shipment> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Starts {@code workers} workers, and ships what {@code journal} held when it was opened.
     *
     * @param recorders the recorder for an upstream's name (its identity appends its records)
     */
    RecordShipper(CallJournal journal, Function<String, ToolCallRecorder> recorders, int workers) {
        this.journal = journal;
        this.recorders = recorders;
        for (CallJournal.Held held : journal.heldAtOpen()) {
            ship(held.sequence(), held.entry());
        }
        for (int i = 0; i < workers; i++) {
            this.workers.add(Thread.ofVirtual().name("proxy-record-shipper-" + i).start(this::work));
        }
    }

    /** Queues call {@code sequence}'s final record for the log. */
    void ship(long sequence, LogEntry entry) {
        queue.add(new Shipment(sequence, entry, recorders.apply(entry.getToolCallRecorded().getUpstream())));
    }

    private void work() {
        while (!closed || !queue.isEmpty()) {
            Shipment shipment;
            try {
                shipment = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (shipment != null && !deliver(shipment)) {
                return;
            }
        }
    }

    /** Appends until the authority acknowledges; false if interrupted (closing) before that. */
    private boolean deliver(Shipment shipment) {
        long pauseMillis = 100;
        while (true) {
            try {
                shipment.recorder().append(shipment.entry());
                break;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "call record " + shipment.sequence() + " not logged yet (retrying in "
                        + pauseMillis + " ms): " + e.getMessage());
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return false;
            }
            pauseMillis = Math.min(2 * pauseMillis, MAX_PAUSE.toMillis());
        }
        journal.shipped(shipment.sequence());
        return true;
    }

    /** Waits up to {@code timeout} for the queued records to be logged, then stops the workers. */
    void close(Duration timeout) {
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread worker : workers) {
            try {
                if (!worker.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    worker.interrupt();
                    worker.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workers.forEach(Thread::interrupt);
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
