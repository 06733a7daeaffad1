package dev.agentledger.issuer.policy;

import java.util.Objects;

/**
 * A policy set was refused when loading: it does not parse as Cedar, or its annotations
 * ({@code @id}, {@code @approval}, {@code @approvers}, {@code @reason}) break the rules in
 * {@link dev.agentledger.issuer.policy the package documentation}. Nothing was logged and the
 * policy in force, if any, stays in force.
 */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String policyId;
    private final String problem;

    /** The policy set {@code policyId} was refused because of {@code problem}. */
    public PolicyException(String policyId, String problem) {
        this(policyId, problem, null);
    }

    /** The policy set {@code policyId} was refused because of {@code problem}, found by {@code cause}. */
    public PolicyException(String policyId, String problem, Throwable cause) {
        super("policy set \"" + policyId + "\" refused: " + problem, cause);
        this.policyId = Objects.requireNonNull(policyId, "policyId");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The id of the refused policy set. */
    public String policyId() {
        return policyId;
    }

    /** What is wrong with it, without the policy id (e.g. the Cedar parser's message). */
    public String problem() {
        return problem;
    }
}
