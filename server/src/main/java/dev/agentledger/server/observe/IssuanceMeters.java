package dev.agentledger.server.observe;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.PolicyGate;
import dev.agentledger.issuer.Verdict;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import java.util.List;
import java.util.Locale;

/**
 * Issuance and decisions as Prometheus counters: {@code agentledger_issued_total{kind}} for each
 * logged credential (registration, x509_svid, jwt_svid, delegation, capability_token),
 * {@code agentledger_refused_total{kind, reason}} for refusals, and
 * {@code agentledger_policy_decisions_total{decision}} for the policy gate's verdicts.
 */
public final class IssuanceMeters {
    private final MeterRegistry registry;

    /** Meters in {@code registry}. */
    public IssuanceMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters in Helidon's global registry (served at {@code /observe/metrics}). */
    public static IssuanceMeters global() {
        return new IssuanceMeters(Metrics.globalRegistry());
    }

    /** One credential of {@code kind} was logged and returned. */
    public void issued(String kind) {
        counter("agentledger.issued", "credentials logged and returned", List.of(Tag.create("kind", kind))).increment();
    }

    /** A request for {@code kind} was refused for {@code reason}. */
    public void refused(String kind, String reason) {
        counter("agentledger.refused", "issuance requests refused", List.of(Tag.create("kind", kind),
                Tag.create("reason", reason.toLowerCase(Locale.ROOT)))).increment();
    }

    /** {@code gate} with each of its (logged) verdicts counted by outcome. */
    public PolicyGate metered(PolicyGate gate) {
        return new PolicyGate() {
            @Override
            public Verdict decide(ActionRequest request) throws IssuanceException {
                return counted(gate.decide(request));
            }

            @Override
            public Decided decide(ActionRequest request, AfterAllow then) throws IssuanceException {
                Decided decided = gate.decide(request, then); // the gate's own way: one log batch for both entries
                counted(decided.verdict());
                return decided;
            }
        };
    }

    private Verdict counted(Verdict verdict) {
        counter("agentledger.policy.decisions", "policy gate verdicts, each logged",
                List.of(Tag.create("decision", verdict.outcome().name().toLowerCase(Locale.ROOT)))).increment();
        return verdict;
    }

    private Counter counter(String name, String description, List<Tag> tags) {
        return registry.getOrCreate(Counter.builder(name).description(description).tags(tags));
    }
}
