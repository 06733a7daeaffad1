package dev.agentledger.verifierclient.monitor;

import java.util.List;

/**
 * Where alerts go: stderr ({@link StderrAlerts}), counters ({@link AlertCounters}), a webhook
 * ({@link WebhookAlerts}). Implementations must be thread-safe and must not throw: a failing
 * channel never stops the monitor.
 */
@FunctionalInterface
public interface AlertSink {
    /** Delivers {@code alert}; failures are reported by the sink itself, never thrown. */
    void send(Alert alert);

    /** A sink that hands every alert to each of {@code sinks} in order. */
    static AlertSink all(List<AlertSink> sinks) {
        List<AlertSink> copy = List.copyOf(sinks);
        return alert -> copy.forEach(sink -> sink.send(alert));
    }
}
