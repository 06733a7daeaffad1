package dev.agentledger.server.observe;

import dev.agentledger.ledger.LedgerMetrics;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.List;

/**
 * The ledger's write-path measurements as Helidon meters (served in Prometheus form at
 * {@code /observe/metrics}): entries appended, entries per committed batch, the synced write's
 * latency, how long a batch's appends waited for their answer, and the index rows added to the
 * store in the background (how many, how long each addition took, how many failed), tagged {@code
 * index="leaf_hash"} (dedupe's index) or {@code index="lookup"} (by SPIFFE ID, serial, token id).
 */
public final class LedgerMeters implements LedgerMetrics {
    private final Counter appended;
    private final DistributionSummary batchEntries;
    private final Timer syncLatency;
    private final DistributionSummary answeredBatch;
    private final Timer answerLatency;
    private final IndexRows leafRows;
    private final IndexRows keyRows;

    /** The meters of one index whose rows are added to the store in the background. */
    private record IndexRows(Counter added, Timer time, Counter failed) {
        static IndexRows register(MeterRegistry registry, String index) {
            List<Tag> tags = List.of(Tag.create("index", index));
            return new IndexRows(
                    registry.getOrCreate(Counter.builder("agentledger.ledger.index_rows.added").tags(tags)
                            .description("rows added to the store by an index kept out of the synced write; the newest are held in memory")),
                    registry.getOrCreate(Timer.builder("agentledger.ledger.index_rows.add").tags(tags)
                            .description("time to sort one segment's index rows and add them to the store as one table file")),
                    registry.getOrCreate(Counter.builder("agentledger.ledger.index_rows.failures").tags(tags)
                            .description("failed additions of index rows to the store (kept in memory and tried again; a rising count means the store refuses writes)")));
        }

        void added(int rows, long nanos) {
            added.increment(rows);
            time.record(Duration.ofNanos(nanos));
        }
    }

    /** Registers (or reuses) the meters in {@code registry}. */
    public LedgerMeters(MeterRegistry registry) {
        appended = registry.getOrCreate(Counter.builder("agentledger.ledger.appended")
                .description("entries appended to the log (durable and in a signed checkpoint)"));
        batchEntries = registry.getOrCreate(DistributionSummary.builder("agentledger.ledger.batch.entries")
                .description("new entries per committed batch"));
        syncLatency = registry.getOrCreate(Timer.builder("agentledger.ledger.sync")
                .description("time of one batch's synced write"));
        answeredBatch = registry.getOrCreate(DistributionSummary.builder("agentledger.ledger.batch.appends")
                .description("appends (new and duplicate) answered per batch"));
        answerLatency = registry.getOrCreate(Timer.builder("agentledger.ledger.batch.latency")
                .description("time from taking a batch to answering its appends"));
        leafRows = IndexRows.register(registry, "leaf_hash");
        keyRows = IndexRows.register(registry, "lookup");
    }

    @Override
    public void committed(int entries, long syncNanos) {
        appended.increment(entries);
        batchEntries.record(entries);
        syncLatency.record(Duration.ofNanos(syncNanos));
    }

    @Override
    public void batch(int appends, long nanos) {
        answeredBatch.record(appends);
        answerLatency.record(Duration.ofNanos(nanos));
    }

    @Override
    public void leafRowsAdded(int leaves, long nanos) {
        leafRows.added(leaves, nanos);
    }

    @Override
    public void leafRowsFailed() {
        leafRows.failed().increment();
    }

    @Override
    public void keyRowsAdded(int rows, long nanos) {
        keyRows.added(rows, nanos);
    }

    @Override
    public void keyRowsFailed() {
        keyRows.failed().increment();
    }
}
