package dev.agentledger.verifierclient.monitor;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counts alerts by kind, for metrics and tests. Thread-safe. */
public final class AlertCounters implements AlertSink {
    private final AtomicLongArray counts = new AtomicLongArray(AlertKind.values().length);

    @Override
    public void send(Alert alert) {
        counts.incrementAndGet(alert.kind().ordinal());
    }

    /** How many alerts of {@code kind} were sent so far. */
    public long count(AlertKind kind) {
        return counts.get(kind.ordinal());
    }

    /** Every kind with its count, zeros included, in declaration order. */
    public Map<AlertKind, Long> snapshot() {
        Map<AlertKind, Long> out = new EnumMap<>(AlertKind.class);
        for (AlertKind kind : AlertKind.values()) {
            out.put(kind, count(kind));
        }
        return out;
    }

    /** The sum over all kinds. */
    public long total() {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }
}
