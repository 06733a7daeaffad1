package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.issuer.policy.Approval.Status;
import dev.agentledger.issuer.policy.ApprovalException.Reason;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.ApprovalDecided;
import dev.agentledger.proto.v1.ApprovalOutcome;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApprovalsTest extends GateOnLogTest {
    private static final SpiffeId BOB = SpiffeId.of(GateLog.TRUST_DOMAIN, "user/bob");
    private static final SpiffeId CAROL = SpiffeId.of(GateLog.TRUST_DOMAIN, "user/carol");
    private static final String POLICY = """
            @id("writes") @approval("required") @reason("writes need a human")
            permit(principal, action == Action::"db:write", resource);
            @id("payments") @approval("required") @approvers("spiffe://agents.example/user/bob")
            permit(principal, action == Action::"pay", resource);
            """;
    private static final ActionRequest WRITE = Requests.of("bot", "db:write", "db:orders", Map.of("rows", "5000"));

    private CedarPolicyGate gate;

    @BeforeEach
    void openGate() throws Exception {
        gate = open();
    }

    private CedarPolicyGate open() throws Exception {
        return CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
    }

    @Test
    void anApprovedRequestIsAllowedOnceOnRetry() throws Exception {
        Verdict asked = gate.decide(WRITE);
        String id = asked.approvalId().orElseThrow();
        List<Approval> pending = gate.approvals().pending();
        assertEquals(1, pending.size());
        Approval approval = pending.get(0);
        assertEquals(id, approval.id());
        assertEquals(Status.PENDING, approval.status());
        assertEquals(START, approval.requested());
        assertEquals(START.plus(PolicyConfig.DEFAULT_APPROVAL_LIFETIME), approval.expires());
        assertEquals(new Approval.Request(WRITE.principal(), Optional.of(Requests.ALICE), List.of("del-1"), "db:write", "db:orders",
                Map.of("rows", "5000")), approval.request());
        assertEquals("writes need a human", approval.reason());

        clock.advance(Duration.ofMinutes(3));
        Approval approved = gate.approvals().approve(id, BOB, "ok for the migration");
        assertEquals(Status.APPROVED, approved.status());
        assertEquals(Optional.of(BOB), approved.decidedBy());
        assertTrue(gate.approvals().pending().isEmpty());
        ApprovalDecided decided = log.entry(log.size() - 1).getApprovalDecided();
        assertEquals(id, decided.getApprovalId());
        assertEquals(ApprovalOutcome.APPROVAL_OUTCOME_APPROVED, decided.getOutcome());
        assertEquals("spiffe://agents.example", decided.getApprover().getIssuer());
        assertEquals(BOB.value(), decided.getApprover().getSubject());
        assertEquals("ok for the migration", decided.getComment());

        Verdict allowed = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.ALLOW, allowed.outcome());
        assertEquals(Optional.of(id), allowed.approvalId());
        assertEquals(log.size() - 1, allowed.decisionIndex());
        PolicyDecision logged = log.entry(allowed.decisionIndex()).getPolicyDecision();
        assertEquals(dev.agentledger.proto.v1.Decision.DECISION_ALLOW, logged.getDecision());
        assertEquals(id, logged.getApprovalId());
        assertEquals(List.of("writes", "approved: approval " + id + " by " + BOB.value()), logged.getReasonsList());
        assertEquals(logged.getReasonsList(), allowed.reasons());
        assertEquals(Status.USED, gate.approvals().find(id).orElseThrow().status());

        Verdict again = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.DENY, again.outcome());
        assertEquals("approval " + id + " was already used", last(again.reasons()));
    }

    @Test
    void aRejectedApprovalDenies() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        gate.approvals().deny(id, BOB, "not today");
        assertEquals(ApprovalOutcome.APPROVAL_OUTCOME_REJECTED, log.entry(log.size() - 1).getApprovalDecided().getOutcome());
        Verdict verdict = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertEquals("approval " + id + " was rejected by " + BOB.value(), last(verdict.reasons()));
        assertEquals(Reason.ALREADY_DECIDED, assertThrows(ApprovalException.class,
                () -> gate.approvals().approve(id, BOB, "")).reason());
    }

    @Test
    void aRetryWhilePendingWaitsAgainWithoutANewApproval() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        long requested = countApprovalRequests();
        Verdict verdict = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.NEEDS_APPROVAL, verdict.outcome());
        assertEquals(Optional.of(id), verdict.approvalId());
        assertEquals(requested, countApprovalRequests());
        assertEquals(dev.agentledger.proto.v1.Decision.DECISION_NEEDS_APPROVAL,
                log.entry(verdict.decisionIndex()).getPolicyDecision().getDecision());
    }

    @Test
    void anUnansweredApprovalExpiresAndTheExpiryIsLogged() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        CompletableFuture<Approval> waiting = gate.approvals().whenDecided(id);
        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME.minusSeconds(1));
        assertTrue(gate.approvals().expireDue().isEmpty());
        assertEquals(1, gate.approvals().pending().size());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(gate.approvals().pending().isEmpty(), "an expired approval is not listed as pending");
        List<Approval> expired = gate.approvals().expireDue();
        assertEquals(List.of(id), expired.stream().map(Approval::id).toList());
        ApprovalDecided decided = log.entry(log.size() - 1).getApprovalDecided();
        assertEquals(ApprovalOutcome.APPROVAL_OUTCOME_EXPIRED, decided.getOutcome());
        assertFalse(decided.hasApprover());
        assertEquals(Status.EXPIRED, waiting.get(1, TimeUnit.SECONDS).status());

        assertEquals(Reason.ALREADY_DECIDED, assertThrows(ApprovalException.class, () -> gate.approvals().approve(id, BOB, "")).reason());
        Verdict verdict = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertTrue(last(verdict.reasons()).contains("expired"), verdict::toString);
    }

    @Test
    void anApprovalDecidedTooLateExpiresInstead() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME);
        long size = log.size();
        assertEquals(Reason.EXPIRED, assertThrows(ApprovalException.class, () -> gate.approvals().approve(id, BOB, "")).reason());
        assertEquals(size + 1, log.size());
        assertEquals(ApprovalOutcome.APPROVAL_OUTCOME_EXPIRED, log.entry(size).getApprovalDecided().getOutcome());
    }

    @Test
    void anApprovedButUnusedApprovalExpiresToo() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        gate.approvals().approve(id, BOB, "");
        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME);
        Verdict verdict = gate.decide(Requests.retry(WRITE, id));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertEquals("approval " + id + " expired at " + START.plus(PolicyConfig.DEFAULT_APPROVAL_LIFETIME) + " before it was used",
                last(verdict.reasons()));
    }

    @Test
    void anApprovalAllowsOnlyTheRequestItWasAskedFor() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        gate.approvals().approve(id, BOB, "");
        List<ActionRequest> others = List.of(
                Requests.of("bot", "db:write", "db:orders", Map.of("rows", "5001")),
                Requests.of("bot", "db:write", "db:customers", Map.of("rows", "5000")),
                Requests.of("other-bot", "db:write", "db:orders", Map.of("rows", "5000")),
                new ActionRequest(WRITE.principal(), WRITE.actors(), Optional.empty(), WRITE.delegationIds(), WRITE.action(),
                        WRITE.resource(), WRITE.context(), Optional.empty()),
                new ActionRequest(WRITE.principal(), WRITE.actors(), WRITE.actingUser(), List.of("del-9"), WRITE.action(),
                        WRITE.resource(), WRITE.context(), Optional.empty()));
        for (ActionRequest other : others) {
            Verdict verdict = gate.decide(Requests.retry(other, id));
            assertEquals(Outcome.DENY, verdict.outcome(), other::toString);
            assertEquals("approval " + id + " was requested for another request", last(verdict.reasons()));
        }
        assertEquals(Outcome.ALLOW, gate.decide(Requests.retry(WRITE, id)).outcome(), "a mismatch does not use the approval");
    }

    @Test
    void approvalIdsNeverStartWithADash() throws Exception {
        // All-ones randomness would give "__..." and 0xF8 "-...": a command line takes a leading '-' for an option.
        for (byte fill : new byte[] {(byte) 0xFF, (byte) 0xF8}) {
            java.security.SecureRandom ones = new java.security.SecureRandom() {
                private static final long serialVersionUID = 1L;

                @Override
                public void nextBytes(byte[] bytes) {
                    java.util.Arrays.fill(bytes, fill);
                }
            };
            PolicyConfig config = new PolicyConfig(log.config.authority(), log.config.clock(), ones,
                    log.config.approvalLifetime(), log.config.numericContextKeys());
            CedarPolicyGate filled = CedarPolicyGate.open(log.ledger, config, "main", POLICY, GateLog.OPERATOR);
            String id = filled.decide(WRITE).approvalId().orElseThrow();
            assertTrue(Character.isLetterOrDigit(id.charAt(0)), id);
            assertEquals(22, id.length());
        }
    }

    @Test
    void unknownAndMalformedApprovalIdsDeny() throws Exception {
        Verdict unknown = gate.decide(Requests.retry(WRITE, "AAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals(Outcome.DENY, unknown.outcome());
        assertTrue(last(unknown.reasons()).contains("is unknown"), unknown::toString);
        Verdict malformed = gate.decide(Requests.retry(WRITE, "x".repeat(3000)));
        assertEquals(Outcome.DENY, malformed.outcome());
        assertEquals("approval id is malformed", last(malformed.reasons()));
        assertEquals("", log.entry(malformed.decisionIndex()).getPolicyDecision().getApprovalId());
        assertEquals(Reason.UNKNOWN_APPROVAL, assertThrows(ApprovalException.class,
                () -> gate.approvals().approve("AAAAAAAAAAAAAAAAAAAAAA", BOB, "")).reason());
    }

    @Test
    void onlyTheNamedApproversMayDecideAndNeverTheAgent() throws Exception {
        ActionRequest pay = Requests.of("bot", "pay", "bank:acme", Map.of());
        Verdict asked = gate.decide(pay);
        String id = asked.approvalId().orElseThrow();
        assertEquals(List.of(BOB), gate.approvals().find(id).orElseThrow().approvers());
        long size = log.size();
        assertEquals(Reason.NOT_PERMITTED, assertThrows(ApprovalException.class, () -> gate.approvals().approve(id, CAROL, "")).reason());
        String write = gate.decide(WRITE).approvalId().orElseThrow();
        size = log.size();
        assertEquals(Reason.NOT_PERMITTED, assertThrows(ApprovalException.class,
                () -> gate.approvals().approve(write, WRITE.principal(), "")).reason());
        assertEquals(Reason.COMMENT_TOO_LONG, assertThrows(ApprovalException.class,
                () -> gate.approvals().approve(write, CAROL, "x".repeat(Approvals.MAX_COMMENT_LENGTH + 1))).reason());
        assertEquals(size, log.size(), "a refused decision logs nothing");
        assertEquals(Status.APPROVED, gate.approvals().approve(id, BOB, "").status());
        assertEquals(Status.APPROVED, gate.approvals().approve(write, CAROL, "").status());
    }

    @Test
    void waitersHearOfTheDecision() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        assertEquals(Status.PENDING, gate.approvals().await(id, Duration.ofMillis(20)).status());
        CompletableFuture<Approval> future = gate.approvals().whenDecided(id);
        future.complete(null); // a caller completing its copy changes nothing
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Approval> waiting = pool.submit(() -> gate.approvals().await(id, Duration.ofSeconds(30)));
            Thread.sleep(50);
            gate.approvals().approve(id, BOB, "go");
            Approval heard = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(Status.APPROVED, heard.status());
            assertEquals(Status.APPROVED, gate.approvals().whenDecided(id).get(1, TimeUnit.SECONDS).status());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void awaitingPastTheExpiryLogsIt() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME);
        assertEquals(Status.EXPIRED, gate.approvals().await(id, Duration.ofSeconds(30)).status());
        assertEquals(ApprovalOutcome.APPROVAL_OUTCOME_EXPIRED, log.entry(log.size() - 1).getApprovalDecided().getOutcome());
    }

    @Test
    void concurrentRetriesAreAllowedOnce() throws Exception {
        String id = gate.decide(WRITE).approvalId().orElseThrow();
        gate.approvals().approve(id, BOB, "");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Verdict>> retries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                retries.add(pool.submit(() -> gate.decide(Requests.retry(WRITE, id))));
            }
            int allowed = 0;
            for (Future<Verdict> retry : retries) {
                allowed += retry.get().outcome() == Outcome.ALLOW ? 1 : 0;
            }
            assertEquals(1, allowed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        String used = gate.decide(WRITE).approvalId().orElseThrow();
        gate.approvals().approve(used, BOB, "");
        assertEquals(Outcome.ALLOW, gate.decide(Requests.retry(WRITE, used)).outcome());
        ActionRequest delete = Requests.of("bot", "db:write", "db:archive", Map.of("rows", "2"));
        String approvedBeforeRestart = gate.decide(delete).approvalId().orElseThrow();
        gate.approvals().approve(approvedBeforeRestart, BOB, "");
        String rejected = gate.decide(Requests.of("bot", "db:write", "db:x", Map.of())).approvalId().orElseThrow();
        gate.approvals().deny(rejected, BOB, "no");
        String pending = gate.decide(Requests.of("bot", "pay", "bank:acme", Map.of())).approvalId().orElseThrow();
        long size = log.size();

        clock.advance(Duration.ofMinutes(1));
        restart();
        gate = open();
        assertEquals(size, log.size(), "reopening logs nothing new");
        assertEquals(List.of(pending), gate.approvals().pending().stream().map(Approval::id).toList());
        assertEquals(List.of(BOB), gate.approvals().pending().get(0).approvers());
        assertEquals(Status.USED, gate.approvals().find(used).orElseThrow().status());
        assertEquals(Status.REJECTED, gate.approvals().find(rejected).orElseThrow().status());
        assertEquals(Outcome.DENY, gate.decide(Requests.retry(WRITE, used)).outcome(), "used before the restart");
        assertEquals(Outcome.ALLOW, gate.decide(Requests.retry(delete, approvedBeforeRestart)).outcome());
        gate.approvals().approve(pending, BOB, "after the restart");

        restart();
        gate = open();
        assertEquals(Outcome.DENY, gate.decide(Requests.retry(delete, approvedBeforeRestart)).outcome(), "used after the first restart");
        assertEquals(Outcome.ALLOW, gate.decide(Requests.retry(Requests.of("bot", "pay", "bank:acme", Map.of()), pending)).outcome());

        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME.multipliedBy(3));
        String expiring = gate.decide(WRITE).approvalId().orElseThrow();
        clock.advance(PolicyConfig.DEFAULT_APPROVAL_LIFETIME);
        restart();
        gate = open();
        assertTrue(gate.approvals().find(used).isEmpty(), "approvals older than the window are not read back");
        assertEquals(List.of(expiring), gate.approvals().expireDue().stream().map(Approval::id).toList(),
                "an approval that expired while the gate was down is expired when noticed");
    }

    private long countApprovalRequests() throws Exception {
        return log.entries().stream().filter(LogEntry::hasApprovalRequested).count();
    }

    private static String last(List<String> reasons) {
        return reasons.get(reasons.size() - 1);
    }
}
