package dev.agentledger.server.proxy;

import dev.agentledger.proto.v1.LogEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Ships the journal's call records to the authority's log after the calls were answered, in
 * batches: once a record is queued, the shipper waits up to its linger for others to join it, then
 * appends every record queued by then (at most {@value #MAX_BATCH}) together, so that the
 * authority makes one synced write and signs one checkpoint for many calls rather than one for
 * each. (One call at a time, an append per record cost the process more CPU than the proxied call
 * itself, and that CPU competed with the calls: BENCHMARKS.md, action proxy, seventh pass.) The
 * records are durable in the journal while they wait, so the linger delays the audit trail by that
 * long and loses nothing. A record is forgotten by the journal only once the authority
 * acknowledged it (durable and in a signed checkpoint). Records whose append failed are appended
 * again, with a growing pause, until the authority takes them or the shipper is closed; what is
 * left then stays in the journal and is shipped at the next start. Thread-safe.
 */
final class RecordShipper implements AutoCloseable {
    /** How long a queued record waits for others to join its batch. */
    static final Duration LINGER = Duration.ofMillis(20);
    /** The most records appended together. */
    static final int MAX_BATCH = 512;
    private static final System.Logger LOG = System.getLogger(RecordShipper.class.getName());
    private static final Duration MAX_PAUSE = Duration.ofSeconds(10);

    private record Shipment(long sequence, LogEntry entry, ToolCallRecorder recorder, long queuedNanos) {}

    private final CallJournal journal;
    private final Function<String, ToolCallRecorder> recorders;
    private final long lingerNanos;
    private final LinkedBlockingQueue<Shipment> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    /**
     * Starts shipping, first what {@code journal} held when it was opened.
     *
     * @param recorders the recorder for an upstream's name (its identity appends its records)
     * @param linger how long a queued record waits for others to join its batch
     */
    RecordShipper(CallJournal journal, Function<String, ToolCallRecorder> recorders, Duration linger) {
        this.journal = journal;
        this.recorders = recorders;
        this.lingerNanos = linger.toNanos();
        for (CallJournal.Held held : journal.heldAtOpen()) {
            ship(held.sequence(), held.entry());
        }
        this.worker = Thread.ofVirtual().name("proxy-record-shipper").start(this::work);
    }

    /** Queues call {@code sequence}'s final record for the log. */
    void ship(long sequence, LogEntry entry) {
        queue.add(new Shipment(sequence, entry, recorders.apply(entry.getToolCallRecorded().getUpstream()), System.nanoTime()));
    }

    private void work() {
        List<Shipment> batch = new ArrayList<>();
        try {
            while (!closed || !queue.isEmpty()) {
                Shipment first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                long lingered = System.nanoTime() - first.queuedNanos();
                if (!closed && lingered < lingerNanos) {
                    TimeUnit.NANOSECONDS.sleep(lingerNanos - lingered);
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                deliver(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // closing: what is not shipped stays in the journal
        }
    }

    /** Appends {@code batch} until the authority has logged all of it. */
    private void deliver(List<Shipment> batch) throws InterruptedException {
        long pauseMillis = 100;
        for (List<Shipment> left = appendAll(batch); !left.isEmpty(); left = appendAll(left)) {
            Thread.sleep(pauseMillis);
            pauseMillis = Math.min(2 * pauseMillis, MAX_PAUSE.toMillis());
        }
    }

    /**
     * Appends {@code batch}, each upstream's records as that upstream's identity, and forgets
     * the logged ones in the journal; returns the others (logging why at WARNING).
     */
    private List<Shipment> appendAll(List<Shipment> batch) throws InterruptedException {
        Map<ToolCallRecorder, List<Shipment>> byRecorder = new LinkedHashMap<>();
        for (Shipment shipment : batch) {
            byRecorder.computeIfAbsent(shipment.recorder(), r -> new ArrayList<>()).add(shipment);
        }
        Map<Shipment, CompletableFuture<Long>> appended = new LinkedHashMap<>();
        byRecorder.forEach((recorder, shipments) -> {
            List<CompletableFuture<Long>> indexes = recorder.appendAll(shipments.stream().map(Shipment::entry).toList());
            for (int i = 0; i < shipments.size(); i++) {
                appended.put(shipments.get(i), indexes.get(i));
            }
        });
        List<Shipment> failed = new ArrayList<>();
        String why = null;
        for (Map.Entry<Shipment, CompletableFuture<Long>> each : appended.entrySet()) {
            try {
                each.getValue().get();
                journal.shipped(each.getKey().sequence());
            } catch (ExecutionException e) {
                failed.add(each.getKey());
                why = why == null ? e.getCause().getMessage() : why;
            }
        }
        if (!failed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, failed.size() + " call records, the first " + failed.getFirst().sequence()
                    + ", not logged yet (appended again after a pause): " + why);
        }
        return failed;
    }

    /** Waits up to {@code timeout} for the queued records to be logged, then stops. */
    void close(Duration timeout) {
        closed = true;
        try {
            if (!worker.join(timeout)) {
                worker.interrupt();
                worker.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
