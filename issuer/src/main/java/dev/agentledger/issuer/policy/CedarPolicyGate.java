package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.PolicyGate;
import dev.agentledger.issuer.Verdict;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.LogEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy gate: decides each {@link ActionRequest} with a Cedar policy set and logs every
 * decision before returning it; a needs-approval decision opens a human approval in
 * {@link #approvals()}, and the agent's retry naming the approval is allowed once it is approved.
 *
 * <p>The log order is: {@code PolicyPublished} for a version before any decision by it; for a
 * needs-approval, {@code ApprovalRequested} before its {@code PolicyDecision}; the decision before
 * the verdict is returned. {@link Verdict#decisionIndex()} is the index of the
 * {@code PolicyDecision} entry. The request is logged as the policy saw it, except
 * {@code context.now}, which is computed from the entry's header time, so an auditor can replay
 * every decision from the log alone.
 *
 * <p>Security guarantees: no decision is returned unless it is durable in the log and in a signed
 * checkpoint; a failed append throws, and the caller must refuse. Evaluation errors deny (fail
 * closed). Replacing the policy set is atomic: each decision uses one version throughout, and
 * names it.
 *
 * <p>Thread-safe; a decision blocks its thread until the log answers (use virtual threads).
 */
public final class CedarPolicyGate implements PolicyGate {
    /** The largest logged request (serialized), so that the decision entry fits the log. */
    public static final int MAX_REQUEST_BYTES = 16 * 1024;
    /**
     * How far back beyond one approval lifetime the opening read goes (for clocks that step back),
     * and the longest a decision may take between reading the version in force and being logged.
     */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    /** A compiled policy with the version it was published as. */
    private record Loaded(CedarPolicy policy, PolicyVersion version) {}

    private final PolicyLog log;
    private final PolicyConfig config;
    private final Approvals approvals;
    private final AnomalySignals signals = new AnomalySignals();
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final Object publishing = new Object();

    private CedarPolicyGate(PolicyLog log, PolicyConfig config, Approvals approvals) {
        this.log = log;
        this.config = config;
        this.approvals = approvals;
    }

    /**
     * Opens the gate for policy set {@code policyId} on {@code ledger}: compiles {@code policyText},
     * rebuilds the approvals and the version count from the log, and publishes the text as the next
     * version ({@code PolicyPublished}) unless the log's latest version of this set has the same
     * text. Cost: one read and parse of each log entry of about the last approval lifetime (the
     * whole log the first time a set id is published); see {@code PolicyLog#recent}.
     *
     * @param publishedBy the operator publishing the text
     * @throws PolicyException if the text is refused; nothing is logged
     * @throws IssuanceException ({@code NOT_LOGGED}) if the publication could not be logged
     */
    public static CedarPolicyGate open(Ledger ledger, PolicyConfig config, String policyId, String policyText,
            SpiffeId publishedBy) throws PolicyException, IssuanceException {
        Objects.requireNonNull(publishedBy, "publishedBy");
        CedarPolicy policy = CedarPolicy.compile(policyId, policyText, config.numericContextKeys());
        PolicyLog log = new PolicyLog(ledger, config);
        PolicyLog.Recent recent = log.recent(policyId, log.now().minus(config.approvalLifetime()).minus(CLOCK_SLACK), CLOCK_SLACK);
        Approvals approvals = new Approvals(log, config, policyId);
        approvals.replay(recent.entries());
        CedarPolicyGate gate = new CedarPolicyGate(log, config, approvals);
        gate.signals.replay(recent.entries());
        Optional<PolicyVersion> latest = recent.latest();
        if (latest.isPresent() && latest.get().sha256().equals(policy.sha256())) {
            gate.current.set(new Loaded(policy, latest.get()));
        } else {
            gate.publish(policy, latest.map(PolicyVersion::version).orElse(0L) + 1, publishedBy);
        }
        return gate;
    }

    /** The version in force. */
    public PolicyVersion policy() {
        return current.get().version();
    }

    /** The approvals this gate asks for. */
    public Approvals approvals() {
        return approvals;
    }

    /**
     * Replaces the policy set with {@code policyText}, published as the next version before any
     * decision uses it. Decisions already under way finish with the version they started with.
     *
     * @throws PolicyException if the text is refused; nothing is logged and the old version stays
     * @throws IssuanceException ({@code NOT_LOGGED}) if the publication could not be logged; the old version stays
     */
    public PolicyVersion replace(String policyText, SpiffeId publishedBy) throws PolicyException, IssuanceException {
        Objects.requireNonNull(publishedBy, "publishedBy");
        synchronized (publishing) {
            Loaded old = current.get();
            CedarPolicy policy = CedarPolicy.compile(old.policy().id(), policyText, config.numericContextKeys());
            return publish(policy, old.version().version() + 1, publishedBy);
        }
    }

    /**
     * Decides {@code request} and logs the decision (see the class documentation for the order of
     * entries). With an approval id, an approved, unexpired, unused approval of exactly this
     * request turns a needs-approval into an allow citing it; a pending one gives needs-approval
     * again; anything else denies, with the reason. A deny by the policy stays a deny.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if an entry could not be logged; refuse the request
     */
    @Override
    public Verdict decide(ActionRequest request) throws IssuanceException {
        return decide(request, Optional.empty()).verdict();
    }

    /**
     * Decides as {@link #decide(ActionRequest)} and, on an allow, logs {@code then}'s entry right
     * after the decision: for an allow by the policy alone both are submitted to the log before
     * either is waited for (one batch, one sync, one checkpoint); an allow that redeems an approval
     * logs them one after the other. Returns once both are durable and in a signed checkpoint.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if an entry could not be logged, or what
     *     {@code then} threw (the decision is logged first all the same)
     */
    @Override
    public Decided decide(ActionRequest request, AfterAllow then) throws IssuanceException {
        return decide(request, Optional.of(then));
    }

    private Decided decide(ActionRequest request, Optional<AfterAllow> then) throws IssuanceException {
        Loaded loaded = current.get();
        Instant now = log.now();
        AuthorizationRequest logged = PolicyEntries.request(request);
        if (logged.getSerializedSize() > MAX_REQUEST_BYTES) {
            return record(loaded, now, logged.toBuilder().clearContext().build(), Outcome.DENY,
                    List.of("error: the request is " + logged.getSerializedSize() + " bytes, want at most " + MAX_REQUEST_BYTES
                            + " (context not logged)"), Optional.empty(), Set.of(), then);
        }
        Set<String> anomalies = signals.observe(logged, now);
        Evaluation evaluation = loaded.policy().evaluate(request, now, anomalies);
        if (request.approvalId().isPresent()) {
            return decideWithApproval(loaded, now, logged, evaluation, request.approvalId().get(), anomalies, then);
        }
        if (evaluation.outcome() == Outcome.NEEDS_APPROVAL) {
            String approvalId = approvals.request(loaded.version(), logged, evaluation, now);
            return record(loaded, now, logged, Outcome.NEEDS_APPROVAL, evaluation.reasons(), Optional.of(approvalId), anomalies, then);
        }
        return record(loaded, now, logged, evaluation.outcome(), evaluation.reasons(), Optional.empty(), anomalies, then);
    }

    private Decided decideWithApproval(Loaded loaded, Instant now, AuthorizationRequest logged, Evaluation evaluation,
            String approvalId, Set<String> anomalies, Optional<AfterAllow> then) throws IssuanceException {
        if (!Approvals.wellFormed(approvalId)) {
            return record(loaded, now, logged, Outcome.DENY, with(evaluation.reasons(), "approval id is malformed"), Optional.empty(),
                    anomalies, then);
        }
        Optional<String> cited = Optional.of(approvalId);
        switch (evaluation.outcome()) {
            case DENY:
                return record(loaded, now, logged, Outcome.DENY,
                        with(evaluation.reasons(), "approval " + approvalId + " not used: the policy denies"), cited, anomalies, then);
            case ALLOW:
                return record(loaded, now, logged, Outcome.ALLOW, evaluation.reasons(), Optional.empty(), anomalies, then);
            default:
                break;
        }
        Approvals.Redemption redemption = approvals.use(approvalId, logged, now,
                note -> log.append(PolicyEntries.policyDecision(log.header(now), loaded.version(), logged, Outcome.ALLOW,
                        with(evaluation.reasons(), note), cited, anomalies)));
        return switch (redemption.use()) {
            case ALLOWED -> {
                signals.learn(logged, now);
                Verdict verdict = new Verdict(Outcome.ALLOW, with(evaluation.reasons(), redemption.reason()), cited,
                        redemption.allowed().orElseThrow().index(), anomalies);
                // The approval's use is logged by Approvals under its lock; what it allowed follows on its own.
                Optional<Appended> followed = then.isEmpty() ? Optional.empty() : Optional.of(then.get().log(then.get().entry(cited)));
                yield new Decided(verdict, followed);
            }
            case PENDING -> record(loaded, now, logged, Outcome.NEEDS_APPROVAL, evaluation.reasons(), cited, anomalies, then);
            case REFUSED -> record(loaded, now, logged, Outcome.DENY, with(evaluation.reasons(), redemption.reason()), cited, anomalies, then);
        };
    }

    /**
     * Logs the decision and, after an allow, {@code then}'s entry in the same batch (both submitted
     * before either is waited for, the decision first). {@code then}'s entry is made before
     * anything is submitted; if that fails, the decision is logged alone and the failure rethrown.
     */
    private Decided record(Loaded loaded, Instant now, AuthorizationRequest logged, Outcome outcome, List<String> reasons,
            Optional<String> approvalId, Set<String> anomalies, Optional<AfterAllow> then) throws IssuanceException {
        LogEntry decision = PolicyEntries.policyDecision(log.header(now), loaded.version(), logged, outcome, reasons, approvalId, anomalies);
        Appended appended;
        Optional<Appended> followed = Optional.empty();
        if (outcome == Outcome.ALLOW && then.isPresent()) {
            LogEntry next;
            try {
                next = then.get().entry(approvalId);
            } catch (IssuanceException | RuntimeException e) {
                log.append(decision);
                throw e;
            }
            List<Appended> both = log.appendAll(List.of(decision, next));
            appended = both.get(0);
            followed = Optional.of(both.get(1));
        } else {
            appended = log.append(decision);
        }
        // Logged: an allowed request teaches its pair and hour (a decision that failed to log teaches nothing).
        if (outcome == Outcome.ALLOW) {
            signals.learn(logged, now);
        }
        return new Decided(new Verdict(outcome, reasons, approvalId, appended.index(), anomalies), followed);
    }

    private PolicyVersion publish(CedarPolicy policy, long version, SpiffeId publishedBy) throws IssuanceException {
        synchronized (publishing) {
            log.append(PolicyEntries.policyPublished(log.header(log.now()), policy, version, publishedBy));
            PolicyVersion published = new PolicyVersion(policy.id(), version, policy.sha256());
            // Logged: from here on decisions may use this version.
            current.set(new Loaded(policy, published));
            return published;
        }
    }

    private static List<String> with(List<String> reasons, String more) {
        List<String> all = new ArrayList<>(reasons);
        all.add(more);
        return all;
    }
}
