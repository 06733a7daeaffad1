package dev.agentledger.server.observe;

import dev.agentledger.ledger.LedgerMetrics;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Timer;
import java.time.Duration;

/**
 * The ledger's write-path measurements as Helidon meters (served in Prometheus form at
 * {@code /observe/metrics}): entries appended, entries per committed batch, the synced write's
 * latency, how long a batch's appends waited for their answer, and the leaf-hash rows added to the
 * store in the background (how many, how long each addition took, how many failed).
 */
public final class LedgerMeters implements LedgerMetrics {
    private final Counter appended;
    private final DistributionSummary batchEntries;
    private final Timer syncLatency;
    private final DistributionSummary answeredBatch;
    private final Timer answerLatency;
    private final Counter leafRowsAdded;
    private final Timer leafRowsTime;
    private final Counter leafRowsFailed;

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
        leafRowsAdded = registry.getOrCreate(Counter.builder("agentledger.ledger.leaf_rows.added")
                .description("leaves whose leaf-hash rows (dedupe's index) were added to the store; the newest are held in memory"));
        leafRowsTime = registry.getOrCreate(Timer.builder("agentledger.ledger.leaf_rows.add")
                .description("time to sort one segment's leaf-hash rows and add them to the store as one table file"));
        leafRowsFailed = registry.getOrCreate(Counter.builder("agentledger.ledger.leaf_rows.failures")
                .description("failed additions of leaf-hash rows to the store (kept in memory and tried again; a rising count means the store refuses writes)"));
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
        leafRowsAdded.increment(leaves);
        leafRowsTime.record(Duration.ofNanos(nanos));
    }

    @Override
    public void leafRowsFailed() {
        leafRowsFailed.increment();
    }
}
