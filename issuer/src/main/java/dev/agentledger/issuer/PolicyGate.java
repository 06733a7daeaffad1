package dev.agentledger.issuer;

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
}
