package dev.agentledger.server.observe;

import dev.agentledger.ledger.Ledger;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/** Readiness: the log is up while its sequencer has not stopped on a fatal failure. */
public final class LedgerHealthCheck implements HealthCheck {
    private final Ledger ledger;

    /** Reports on {@code ledger}. */
    public LedgerHealthCheck(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "ledger";
    }

    @Override
    public HealthCheckResponse call() {
        var failure = ledger.failure();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(failure.isEmpty())
                .detail("tree_size", ledger.checkpoint().size());
        failure.ifPresent(f -> response.detail("failure", String.valueOf(f.getMessage())));
        return response.build();
    }
}
