package dev.agentledger.issuer;

import dev.agentledger.ledger.Appended;
import dev.agentledger.proto.v1.LogEntry;
import java.util.Optional;

/**
 * Decides whether an action may be taken. Every decision, allow or not, is appended to the log as
 * a {@code PolicyDecision} entry (and a needs-approval outcome as an {@code ApprovalRequested}
 * entry too) before {@link #decide} returns, so no decision is ever dropped.
 *
 * <p>Thread-safe implementations only: the issuer calls it from many request threads.
 */
@FunctionalInterface
public interface PolicyGate {
    /**
     * Decides {@code request} and logs the decision.
     *
     * @return the logged verdict
     * @throws IssuanceException ({@code NOT_LOGGED}) if the decision could not be logged; the
     *     caller must then refuse, as if denied
     */
    Verdict decide(ActionRequest request) throws IssuanceException;

    /**
     * Decides {@code request} as {@link #decide(ActionRequest)} does and, when it allows, logs the
     * entry {@code then} makes of what the allow lets through, after the decision. A gate may
     * submit both entries before waiting for either, so that they share one log batch (one sync,
     * one checkpoint); this default logs them one after the other. Either way, it returns once both
     * are durable and in a signed checkpoint; after a deny or needs-approval nothing follows.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if an entry could not be logged (the caller
     *     must refuse), or what {@code then} threw (the decision is logged all the same)
     */
    default Decided decide(ActionRequest request, AfterAllow then) throws IssuanceException {
        Verdict verdict = decide(request);
        if (verdict.outcome() != Verdict.Outcome.ALLOW) {
            return new Decided(verdict, Optional.empty());
        }
        return new Decided(verdict, Optional.of(then.log(then.entry(verdict.approvalId()))));
    }

    /** What follows an allow: the entry recording what it let through (a capability token), made once the outcome is known. */
    interface AfterAllow {
        /**
         * The entry to log after the allowing decision.
         *
         * @param approvalId the human approval that allowed it, if any
         * @throws IssuanceException if it cannot be made; nothing of it is logged
         */
        LogEntry entry(Optional<String> approvalId) throws IssuanceException;

        /**
         * Appends {@code entry} alone and waits until it is durable and in a signed checkpoint.
         *
         * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take it
         */
        Appended log(LogEntry entry) throws IssuanceException;
    }

    /**
     * A logged verdict and, after an allow, the logged entry that followed it.
     *
     * @param verdict the decision, logged
     * @param followed where the {@link AfterAllow#entry} is in the log; empty unless allowed
     */
    record Decided(Verdict verdict, Optional<Appended> followed) {
        /** Requires no entry after a deny or needs-approval. */
        public Decided {
            if (followed.isPresent() && verdict.outcome() != Verdict.Outcome.ALLOW) {
                throw new IllegalArgumentException("only an allow is followed by an entry, not " + verdict.outcome());
            }
        }
    }
}
