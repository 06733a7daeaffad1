/**
 * The policy gate and human approvals: every action request is decided by a Cedar policy set
 * (https://www.cedarpolicy.com, through cedar-java) and the decision is logged before it is
 * returned. {@link dev.agentledger.issuer.policy.CedarPolicyGate} is the entry point;
 * {@link dev.agentledger.issuer.policy.Approvals} lists, decides and awaits approvals;
 * {@link dev.agentledger.issuer.policy.CedarPolicy} evaluates without logging (dry runs, benchmarks).
 *
 * <h2>What a policy sees</h2>
 * <ul>
 *   <li>{@code principal}: {@code Agent::"<spiffe id>"} with {@code spiffeId}, {@code trustDomain},
 *       {@code path}, {@code name} (the {@code <name>} of {@code /agent/<name>/<instance>}, else
 *       the last path segment), {@code actors} (the delegation chain's SPIFFE IDs, the principal
 *       last), {@code chainDepth}, {@code delegations} (ids) and, when the agent acts for a user,
 *       {@code actingUser} (test it with {@code principal has actingUser}).</li>
 *   <li>{@code action}: {@code Action::"<action>"}, e.g. {@code Action::"db:write"}.</li>
 *   <li>{@code resource}: {@code Resource::"<resource>"} with {@code kind} (before the first
 *       {@code :}) and {@code name} (after it), e.g. {@code tool:billing-db}.</li>
 *   <li>{@code context}: the request's context as strings, except the numeric keys
 *       ({@code rows} by default, see {@link dev.agentledger.issuer.policy.PolicyConfig}), which
 *       are integers; plus {@code context.now} from the gate's clock: {@code hourUtc},
 *       {@code minuteUtc}, {@code weekday} ({@code "mon"} ... {@code "sun"}) and
 *       {@code unixSeconds}. A request may not set {@code now} itself.</li>
 *   <li>{@code context.anomalies}: a set of what is new for the agent program, from the gate's own
 *       memory of past decisions: {@code "first_use"}, {@code "rate_spike"}, {@code "off_hours"}
 *       (see {@code AnomalySignals}); test with {@code context.anomalies.contains("first_use")}.
 *       Logged in the {@code PolicyDecision}. A request may not set it.</li>
 * </ul>
 *
 * <h2>Allow, deny, or ask a human</h2>
 * Cedar decides allow or deny (a forbid always wins; no permit means deny). An allow becomes
 * <em>needs approval</em> when every permit that allowed it carries {@code @approval("required")};
 * one plain permit among them is enough to allow outright. So a policy author marks the permits
 * that need a human, next to the rule itself:
 * <pre>
 * &#64;id("pipeline-deletes")
 * &#64;approval("required")
 * &#64;approvers("spiffe://example.org/user/dba, spiffe://example.org/user/cto")
 * &#64;reason("deletions need a human's approval")
 * permit (principal is Agent, action == Action::"db:delete", resource)
 * when { principal.name == "etl-pipeline" };
 * </pre>
 * {@code @approvers} (optional) names who may approve, as SPIFFE IDs; without it any holder of the
 * approver role may (the server checks the role). When several approval permits apply, the union
 * of their approvers may approve, or anyone when one of them names none. {@code @reason} is shown
 * to approvers. {@code @id} names a policy in logged reasons (else Cedar's {@code policy<N>}, N
 * counting from 0 in the text). These annotations are checked when a policy set is loaded; the
 * examples in {@code policies/} on the class path show each scenario.
 *
 * <h2>Fail closed</h2>
 * Any evaluation error (a missing attribute, a type error, a non-integer {@code rows}, a Cedar
 * failure) denies, with the error among the reasons, even where Cedar itself would skip only the
 * erroring policy.
 *
 * <h2>In the log</h2>
 * {@code PolicyPublished} (full text and SHA-256) before a version decides anything;
 * {@code PolicyDecision} (policy id, version, SHA-256, the request, outcome, reasons: determining
 * policy ids then errors and approval notes) for every decision, before it returns;
 * {@code ApprovalRequested} before a needs-approval decision; {@code ApprovalDecided} for an
 * approval, rejection or expiry; a {@code PolicyDecision} allow with {@code approval_id} set marks
 * the approval used. State is rebuilt from these entries when the gate is opened on an existing
 * log.
 */
package dev.agentledger.issuer.policy;
