package dev.agentledger.server.observe;

import dev.agentledger.ledger.WitnessSubmitter;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;

/**
 * The witness submitter's measurements as Helidon meters: cosignatures collected and submissions
 * failed, each tagged with the witness's key name, and fork alarms (a witness that saw a size this
 * log never signed).
 */
public final class WitnessMeters implements WitnessSubmitter.Metrics {
    private final MeterRegistry registry;

    /** Registers meters in {@code registry} as witnesses report. */
    public WitnessMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void cosigned(String witness) {
        counter("agentledger.witness.cosignatures", "verified cosignatures collected", witness).increment();
    }

    @Override
    public void failed(String witness) {
        counter("agentledger.witness.failures", "failed submissions (status, I/O, refused answer)", witness).increment();
    }

    @Override
    public void forkAlarm(String witness) {
        counter("agentledger.witness.fork.alarms", "witness saw a size this log never signed", witness).increment();
    }

    private Counter counter(String name, String description, String witness) {
        return registry.getOrCreate(Counter.builder(name).description(description)
                .tags(java.util.List.of(io.helidon.metrics.api.Tag.create("witness", witness))));
    }
}
