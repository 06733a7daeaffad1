package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.policy.Approval.Status;
import dev.agentledger.issuer.policy.ApprovalException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.ApprovalDecided;
import dev.agentledger.proto.v1.ApprovalOutcome;
import dev.agentledger.proto.v1.ApprovalRequested;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.LogEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The human approvals of one policy set: the pending ones, an approver's approve or deny (logged as
 * {@code ApprovalDecided} before it takes effect), expiry, waiting for a decision, and the single
 * use of an approved request by the {@link CedarPolicyGate}.
 *
 * <p>State lives in the log: when the gate opens on an existing log it replays the gate's own
 * entries ({@code ApprovalRequested}, {@code ApprovalDecided}, and {@code PolicyDecision} allows
 * that cite an approval, which mark it used) of the last approval lifetime; older approvals have
 * expired anyway. Expiry is noticed, and logged as {@code ApprovalDecided} {@code EXPIRED}, when
 * the approval is decided, used, awaited, or swept by {@link #expireDue()} (which the server
 * should call periodically so that waiting agents hear of it).
 *
 * <p>Security guarantees: an approval allows exactly one retry of exactly the logged request
 * (principal, acting user, delegation chain, action, resource and context), before it expires; a
 * failed append of that retry's decision burns the approval rather than risk a second use. Only
 * the approvers named by the policy (any approver when it names none) may decide, never the
 * requesting agent itself; the caller (the server) checks that the approver holds the approver
 * role.
 *
 * <p>Thread-safe; decisions on one approval are serialized.
 */
public final class Approvals {
    /** The longest approver comment, in characters. */
    public static final int MAX_COMMENT_LENGTH = 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");

    private final PolicyLog log;
    private final PolicyConfig config;
    private final String policyId;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    Approvals(PolicyLog log, PolicyConfig config, String policyId) {
        this.log = log;
        this.config = config;
        this.policyId = policyId;
    }

    /** What using an approval gave the gate. */
    enum Use {
        /** The approval allowed the request; the allow is logged. */
        ALLOWED,
        /** The approval still waits for a human. */
        PENDING,
        /** The approval cannot allow this request (see the reason). */
        REFUSED
    }

    /**
     * The result of {@link #use}.
     *
     * @param use what happened
     * @param reason for a refusal, why; for an allow, the approval that allowed it (each logged
     *     as the last reason of the decision)
     * @param allowed for {@link Use#ALLOWED}, the logged allow
     */
    record Redemption(Use use, String reason, Optional<Appended> allowed) {}

    /** Logs the allow of an approved request, with {@code note} as its last reason; called with the approval locked. */
    @FunctionalInterface
    interface AllowLog {
        Appended append(String note) throws IssuanceException;
    }

    /** True if {@code id} has the form of an approval id (22 URL-safe base64 characters). */
    static boolean wellFormed(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The approvals waiting for a human and not expired, oldest first. */
    public List<Approval> pending() {
        Instant now = log.now();
        List<Approval> pending = new ArrayList<>();
        for (State state : states.values()) {
            Approval approval = state.snapshot();
            if (approval.status() == Status.PENDING && now.isBefore(approval.expires())) {
                pending.add(approval);
            }
        }
        pending.sort(Comparator.comparing(Approval::requested).thenComparing(Approval::id));
        return pending;
    }

    /** The approval {@code id}, if known (requested within about one approval lifetime). */
    public Optional<Approval> find(String id) {
        State state = states.get(id);
        return state == null ? Optional.empty() : Optional.of(state.snapshot());
    }

    /**
     * Approves {@code id} as {@code approver}, logged as {@code ApprovalDecided} {@code APPROVED}
     * before it takes effect; the agent may then retry its request once with the approval id.
     *
     * @param comment at most {@link #MAX_COMMENT_LENGTH} characters, may be empty; it is logged
     * @return the approval as it now stands
     * @throws ApprovalException {@code UNKNOWN_APPROVAL}, {@code ALREADY_DECIDED}, {@code EXPIRED}
     *     (the expiry is logged), {@code NOT_PERMITTED}, or {@code COMMENT_TOO_LONG}
     * @throws IssuanceException ({@code NOT_LOGGED}) if the decision could not be logged; nothing changed
     */
    public Approval approve(String id, SpiffeId approver, String comment) throws ApprovalException, IssuanceException {
        return decide(id, ApprovalOutcome.APPROVAL_OUTCOME_APPROVED, approver, comment);
    }

    /**
     * Denies {@code id} as {@code approver}, logged as {@code ApprovalDecided} {@code REJECTED};
     * a retry with the approval id is then denied.
     *
     * @throws ApprovalException as {@link #approve}
     * @throws IssuanceException ({@code NOT_LOGGED}) if the decision could not be logged; nothing changed
     */
    public Approval deny(String id, SpiffeId approver, String comment) throws ApprovalException, IssuanceException {
        return decide(id, ApprovalOutcome.APPROVAL_OUTCOME_REJECTED, approver, comment);
    }

    /**
     * A future that completes with the approval once it is approved, rejected or expired (expiry
     * as noticed by {@link #expireDue()}, {@link #await} or a decision). Completing the returned
     * future has no effect on the approval.
     *
     * @throws ApprovalException ({@code UNKNOWN_APPROVAL}) if {@code id} is not known
     */
    public CompletableFuture<Approval> whenDecided(String id) throws ApprovalException {
        return state(id).decided.copy();
    }

    /**
     * Waits up to {@code timeout} for the approval to be decided, and returns it as it then
     * stands: decided, expired (its expiry logged now if it passed while waiting), or still pending.
     *
     * @throws ApprovalException ({@code UNKNOWN_APPROVAL}) if {@code id} is not known
     * @throws IssuanceException ({@code NOT_LOGGED}) if an expiry could not be logged
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Approval await(String id, Duration timeout) throws ApprovalException, IssuanceException, InterruptedException {
        State state = state(id);
        Duration untilExpiry = Duration.between(log.now(), state.expires);
        Duration wait = untilExpiry.compareTo(timeout) < 0 ? untilExpiry : timeout;
        try {
            return state.decided.get(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            expireIfDue(state, log.now());
            return state.snapshot();
        } catch (ExecutionException e) {
            throw new IllegalStateException("an approval's future never fails", e.getCause());
        }
    }

    /**
     * Logs {@code ApprovalDecided} {@code EXPIRED} for every pending approval past its expiry,
     * completes their waiters, and forgets approvals that ended more than a lifetime ago.
     *
     * @return the approvals expired by this call
     * @throws IssuanceException ({@code NOT_LOGGED}) if an expiry could not be logged; those before it were
     */
    public List<Approval> expireDue() throws IssuanceException {
        Instant now = log.now();
        List<Approval> expired = new ArrayList<>();
        for (State state : states.values()) {
            if (expireIfDue(state, now)) {
                expired.add(state.snapshot());
            }
            if (now.isAfter(state.expires.plus(config.approvalLifetime())) && state.snapshot().status() != Status.PENDING) {
                states.remove(state.id, state);
            }
        }
        return expired;
    }

    /**
     * Logs a new approval for {@code request} ({@code ApprovalRequested}) and returns its id.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the entry could not be logged
     */
    String request(PolicyVersion policy, AuthorizationRequest request, Evaluation evaluation, Instant now) throws IssuanceException {
        byte[] random = new byte[16];
        config.random().nextBytes(random);
        random[0] &= 0x7f; // the id starts with a letter or digit, never '-', which a command line takes for an option
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant expires = now.plus(config.approvalLifetime());
        log.append(PolicyEntries.approvalRequested(log.header(now), id, request, policy, evaluation.approvers(), expires,
                evaluation.approvalReason()));
        states.put(id, new State(id, request, policy.policyId(), policy.version(), evaluation.approvers(),
                evaluation.approvalReason(), now, expires));
        return id;
    }

    /**
     * Uses approval {@code id} for {@code request}: when it is approved, unused, unexpired and for
     * exactly this request, {@code allow} logs the allow and the approval becomes used.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the allow or an expiry could not be
     *     logged; after a failed allow the approval is used up all the same (fail closed)
     */
    Redemption use(String id, AuthorizationRequest request, Instant now, AllowLog allow) throws IssuanceException {
        State state = states.get(id);
        if (state == null) {
            return refused("approval " + id + " is unknown (never requested here, or expired long ago)");
        }
        synchronized (state) {
            if (!state.request.equals(request)) {
                return refused("approval " + id + " was requested for another request");
            }
            if (state.status == Status.PENDING && !now.isBefore(state.expires)) {
                expireIfDue(state, now);
            }
            return switch (state.status) {
                case PENDING -> new Redemption(Use.PENDING, "", Optional.empty());
                case APPROVED -> now.isBefore(state.expires) ? allow(state, allow)
                        : refused("approval " + id + " expired at " + state.expires + " before it was used");
                case REJECTED -> refused("approval " + id + " was rejected by " + state.decidedBy.map(SpiffeId::value).orElse("?"));
                case EXPIRED -> refused("approval " + id + " expired at " + state.expires + " with no decision");
                case USED -> refused("approval " + id + " was already used");
            };
        }
    }

    /** Rebuilds the state from the gate's entries, in log order. */
    void replay(List<PolicyLog.Logged> entries) {
        for (PolicyLog.Logged logged : entries) {
            LogEntry entry = logged.entry();
            Instant time = Instant.ofEpochMilli(entry.getHeader().getTimeUnixMillis());
            if (entry.hasApprovalRequested() && entry.getApprovalRequested().getPolicyId().equals(policyId)) {
                ApprovalRequested requested = entry.getApprovalRequested();
                states.put(requested.getApprovalId(), new State(requested.getApprovalId(), requested.getRequest(), policyId,
                        requested.getPolicyVersion(), requested.getApproversList().stream().map(SpiffeId::parse).toList(),
                        requested.getReason(), time, Instant.ofEpochMilli(requested.getExpiresUnixMillis())));
            } else if (entry.hasApprovalDecided() && states.containsKey(entry.getApprovalDecided().getApprovalId())) {
                ApprovalDecided decided = entry.getApprovalDecided();
                Optional<SpiffeId> approver = decided.hasApprover()
                        ? Optional.of(SpiffeId.parse(decided.getApprover().getSubject())) : Optional.empty();
                states.get(decided.getApprovalId()).end(status(decided.getOutcome()), approver, decided.getComment());
            } else if (entry.hasPolicyDecision() && entry.getPolicyDecision().getDecision() == Decision.DECISION_ALLOW
                    && states.containsKey(entry.getPolicyDecision().getApprovalId())) {
                State state = states.get(entry.getPolicyDecision().getApprovalId());
                synchronized (state) {
                    state.status = Status.USED;
                }
            }
        }
    }

    private Approval decide(String id, ApprovalOutcome outcome, SpiffeId approver, String comment)
            throws ApprovalException, IssuanceException {
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(comment, "comment");
        if (comment.length() > MAX_COMMENT_LENGTH) {
            throw new ApprovalException(Reason.COMMENT_TOO_LONG, id,
                    "comment is " + comment.length() + " characters, want at most " + MAX_COMMENT_LENGTH);
        }
        State state = state(id);
        synchronized (state) {
            Instant now = log.now();
            if (expireIfDue(state, now)) {
                throw new ApprovalException(Reason.EXPIRED, id, "expired at " + state.expires);
            }
            if (state.status != Status.PENDING) {
                throw new ApprovalException(Reason.ALREADY_DECIDED, id, "is already " + state.status.name().toLowerCase(java.util.Locale.ROOT));
            }
            if (approver.value().equals(state.request.getPrincipalSpiffeId())) {
                throw new ApprovalException(Reason.NOT_PERMITTED, id, approver + " is the agent asking; it cannot approve itself");
            }
            if (!state.approvers.isEmpty() && !state.approvers.contains(approver)) {
                throw new ApprovalException(Reason.NOT_PERMITTED, id, approver + " is not among the approvers " + state.approvers);
            }
            log.append(PolicyEntries.approvalDecided(log.header(now), id, outcome, Optional.of(approver), comment));
            state.end(status(outcome), Optional.of(approver), comment);
            return state.snapshot();
        }
    }

    /** Logs the expiry of a pending approval past its time; true if this call expired it. */
    private boolean expireIfDue(State state, Instant now) throws IssuanceException {
        synchronized (state) {
            if (state.status != Status.PENDING || now.isBefore(state.expires)) {
                return false;
            }
            log.append(PolicyEntries.approvalDecided(log.header(now), state.id, ApprovalOutcome.APPROVAL_OUTCOME_EXPIRED,
                    Optional.empty(), ""));
            state.end(Status.EXPIRED, Optional.empty(), "");
            return true;
        }
    }

    private static Redemption allow(State state, AllowLog allow) throws IssuanceException {
        String note = "approved: approval " + state.id + " by " + state.decidedBy.map(SpiffeId::value).orElse("?");
        // Used from here on, whatever the append says: an allow that reached the log but was not
        // acknowledged must not be followed by a second one.
        state.status = Status.USED;
        Appended appended = allow.append(note);
        return new Redemption(Use.ALLOWED, note, Optional.of(appended));
    }

    private static Redemption refused(String reason) {
        return new Redemption(Use.REFUSED, reason, Optional.empty());
    }

    private State state(String id) throws ApprovalException {
        State state = id == null ? null : states.get(id);
        if (state == null) {
            throw new ApprovalException(Reason.UNKNOWN_APPROVAL, String.valueOf(id), "no such approval is pending or recent");
        }
        return state;
    }

    private static Status status(ApprovalOutcome outcome) {
        return switch (outcome) {
            case APPROVAL_OUTCOME_APPROVED -> Status.APPROVED;
            case APPROVAL_OUTCOME_REJECTED -> Status.REJECTED;
            default -> Status.EXPIRED;
        };
    }

    /** One approval; the mutable fields are guarded by the object's monitor. */
    private static final class State {
        final String id;
        final AuthorizationRequest request;
        final String policyId;
        final long policyVersion;
        final List<SpiffeId> approvers;
        final String reason;
        final Instant requested;
        final Instant expires;
        final CompletableFuture<Approval> decided = new CompletableFuture<>();
        Status status = Status.PENDING;
        Optional<SpiffeId> decidedBy = Optional.empty();
        String comment = "";

        State(String id, AuthorizationRequest request, String policyId, long policyVersion, List<SpiffeId> approvers,
                String reason, Instant requested, Instant expires) {
            this.id = id;
            this.request = request;
            this.policyId = policyId;
            this.policyVersion = policyVersion;
            this.approvers = List.copyOf(approvers);
            this.reason = reason;
            this.requested = requested;
            this.expires = expires;
        }

        synchronized void end(Status outcome, Optional<SpiffeId> by, String text) {
            status = outcome;
            decidedBy = by;
            comment = text;
            decided.complete(snapshot());
        }

        synchronized Approval snapshot() {
            Optional<SpiffeId> actingUser = request.hasActingUser()
                    ? Optional.of(SpiffeId.parse(request.getActingUser().getSubject())) : Optional.empty();
            Approval.Request summary = new Approval.Request(SpiffeId.parse(request.getPrincipalSpiffeId()), actingUser,
                    request.getDelegationIdsList(), request.getAction(), request.getResource(), request.getContextMap());
            return new Approval(id, summary, policyId, policyVersion, approvers, reason, requested, expires, status,
                    decidedBy, comment);
        }
    }
}
