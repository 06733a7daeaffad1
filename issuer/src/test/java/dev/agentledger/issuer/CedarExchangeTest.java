package dev.agentledger.issuer;

import static dev.agentledger.issuer.DelegationsTest.ALICE;
import static dev.agentledger.issuer.DelegationsTest.DB;
import static dev.agentledger.issuer.DelegationsTest.PLANNER;
import static dev.agentledger.issuer.DelegationsTest.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.policy.CedarPolicyGate;
import dev.agentledger.issuer.policy.PolicyConfig;
import dev.agentledger.ledger.Appended;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exchange with the Cedar gate: the decision and the capability token logged together, the decision first. */
class CedarExchangeTest extends IssuerOnLogTest {
    private static final String POLICY = """
            @id("reads") permit(principal, action == Action::"db:read", resource);
            @id("no-drop") forbid(principal, action == Action::"db:drop", resource);
            """;

    private CedarPolicyGate gate;
    private X509Certificate reader;
    private String chain;

    @BeforeEach
    void delegate() throws Exception {
        gate = CedarPolicyGate.open(log.ledger, PolicyConfig.of(log.config), "main", POLICY, ALICE);
        reader = log.issuer.issueX509Svid(READER, Csrs.of(Csrs.p256())).credential();
        Delegations delegations = new Delegations(log.issuer);
        Delegation root = delegations.grant(ALICE, DelegationsTest.rootRequest()).credential();
        chain = delegations.subDelegate(PLANNER, root.chain(), new DelegationRequest(READER, List.of("db:read", "db:drop"),
                List.of(DB), Duration.ofMinutes(30), 0)).credential().chain();
    }

    private TokenExchangeRequest request(String scope) throws TokenExchangeException {
        return TokenExchangeRequest.parse(Map.of("grant_type", List.of(TokenExchangeRequest.GRANT_TYPE), "subject_token", List.of(chain),
                "subject_token_type", List.of(DelegationChain.TOKEN_TYPE), "resource", List.of(DB), "scope", List.of(scope)));
    }

    @Test
    void anAllowedTokenIsLoggedRightAfterItsDecisionAndBothAreInTheProof() throws Exception {
        TokenExchange exchange = new TokenExchange(log.issuer, gate);
        for (int i = 0; i < 3; i++) {
            long before = log.size();
            TokenExchangeResponse response = exchange.exchange(request("db:read"), Optional.of(reader));
            long index = response.issued().index();
            assertEquals(before + 1, index, "the token entry follows the decision");
            assertEquals(before + 2, log.size(), "two entries per exchange, no more");
            assertTrue(response.issued().checkpoint().size() > index, "the checkpoint returned holds both");
            LogEntry decision = LogEntries.parse(log.entryBytes(index - 1));
            assertEquals(Decision.DECISION_ALLOW, decision.getPolicyDecision().getDecision());
            assertEquals("db:read", decision.getPolicyDecision().getRequest().getAction());
            LogEntry token = LogEntries.parse(log.entryBytes(index));
            assertEquals(response.issued().credential().claims().id(), token.getCapabilityTokenIssued().getTokenId());
        }
    }

    @Test
    void aDeniedExchangeLogsItsDecisionAndNoToken() throws Exception {
        long before = log.size();
        TokenExchangeException denied = assertThrows(TokenExchangeException.class,
                () -> new TokenExchange(log.issuer, gate).exchange(request("db:drop"), Optional.of(reader)));
        assertEquals(TokenExchangeException.Error.ACCESS_DENIED, denied.error());
        assertEquals(before + 1, log.size());
        assertEquals(Decision.DECISION_DENY, LogEntries.parse(log.entryBytes(before)).getPolicyDecision().getDecision());
    }

    @Test
    void whenTheFollowingEntryCannotBeMadeTheDecisionIsLoggedAlone() throws Exception {
        AtomicInteger logged = new AtomicInteger();
        PolicyGate.AfterAllow failing = new PolicyGate.AfterAllow() {
            @Override
            public LogEntry entry(Optional<String> approvalId) throws IssuanceException {
                throw new IssuanceException(IssuanceException.Reason.AUTHORITY_EXPIRED, "the signing key expired");
            }

            @Override
            public Appended log(LogEntry entry) {
                logged.incrementAndGet();
                throw new AssertionError("nothing to log");
            }
        };
        long before = log.size();
        ActionRequest request = new ActionRequest(READER, List.of(PLANNER, READER), Optional.of(ALICE), List.of("d-1", "d-2"), "db:read", DB,
                Map.of(), Optional.empty());
        IssuanceException failed = assertThrows(IssuanceException.class, () -> gate.decide(request, failing));
        assertEquals(IssuanceException.Reason.AUTHORITY_EXPIRED, failed.reason());
        assertEquals(before + 1, log.size(), "the decision, alone");
        assertEquals(Decision.DECISION_ALLOW, LogEntries.parse(log.entryBytes(before)).getPolicyDecision().getDecision());
        assertEquals(0, logged.get());
    }
}
