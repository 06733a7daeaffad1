package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.ExchangeTokenRequest;
import dev.agentledger.proto.v1.ExchangeTokenResponse;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.LogProof;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code IssuerService.ExchangeToken} over the private listener: the token exchange of
 * {@code POST /oauth2/token} with the same rules, its OAuth errors as gRPC status, and a payment
 * that waits for a human until an approver decides.
 */
class TokenExchangeGrpcTest {
    private static final Pattern APPROVAL_ID = Pattern.compile("approval_id (\\S+)");

    @TempDir
    static Path dir;

    static AgentAuthority authority;
    static Credentials agent;
    static Credentials otherAgent;
    static String chain;

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir);
        agent = authority.spawn("research");
        otherAgent = authority.spawn("helper");
        chain = authority.delegate(AgentAuthority.spiffeId(agent), "\"invoices:read\",\"payments:send\"");
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    /** A valid request for {@code action} on the tool with the agent's chain. */
    static ExchangeTokenRequest.Builder request(String action) {
        return ExchangeTokenRequest.newBuilder()
                .setGrantType("urn:ietf:params:oauth:grant-type:token-exchange")
                .setSubjectToken(chain)
                .setSubjectTokenType(AgentAuthority.DELEGATION_CHAIN_TYPE)
                .setResource(AgentAuthority.TOOL)
                .setScope(action);
    }

    static ExchangeTokenResponse exchange(Credentials as, ExchangeTokenRequest request) throws Exception {
        try (LedgerClient client = authority.client(as)) {
            return client.issuer().exchangeToken(request);
        }
    }

    @Test
    void exchangesForALoggedCapabilityToken() throws Exception {
        ExchangeTokenResponse answer = exchange(agent, request("invoices:read").build());
        assertEquals("urn:ietf:params:oauth:token-type:access_token", answer.getIssuedTokenType());
        assertEquals("Bearer", answer.getTokenType());
        assertEquals("invoices:read", answer.getScope());
        assertTrue(answer.getExpiresIn() > 0 && answer.getExpiresIn() <= 30, "expires_in " + answer.getExpiresIn());
        assertEquals(3, answer.getToken().split("\\.").length, "a compact JWS");

        LogProof proof = answer.getProof();
        byte[] entry = authority.server.server.ledger().entry(proof.getIndex()).orElseThrow();
        LogEntry logged = LogEntries.parse(entry);
        assertEquals("invoices:read", logged.getCapabilityTokenIssued().getAction());
        assertTrue(!new String(entry, StandardCharsets.ISO_8859_1).contains(answer.getToken()), "the token itself is never logged");
        VerifiedInclusion verified = VerifiedInclusion.verify(entry, Hash.parse(proof.getLeafHash().toByteArray()),
                proof.getCheckpoint().toByteArray(), InclusionProof.parse(proof.getInclusionProof().getIndex(),
                        proof.getInclusionProof().getTreeSize(),
                        proof.getInclusionProof().getHashesList().stream().map(h -> h.toByteArray()).toList()),
                authority.server.logVerifier());
        assertEquals(proof.getIndex(), verified.index());
    }

    @Test
    void aPaymentWaitsForTheApprover() throws Exception {
        String approved = pending();
        StatusRuntimeException early = assertThrows(StatusRuntimeException.class,
                () -> exchange(agent, request("payments:send").setApprovalId(approved).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, early.getStatus().getCode(), "still pending: " + early.getStatus());
        decide(approved, "approve");
        ExchangeTokenResponse paid = exchange(agent, request("payments:send").setApprovalId(approved).build());
        assertEquals("payments:send", paid.getScope());
        assertThrows(StatusRuntimeException.class,
                () -> exchange(agent, request("payments:send").setApprovalId(approved).build()), "an approval is used once");

        String denied = pending();
        decide(denied, "deny");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> exchange(agent, request("payments:send").setApprovalId(denied).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode(), refused.getStatus().toString());
    }

    /** A payment held for a human: FAILED_PRECONDITION naming the approval. Its id. */
    private static String pending() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> exchange(agent, request("payments:send").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("authorization_pending"), e.getStatus().getDescription());
        Matcher id = APPROVAL_ID.matcher(e.getStatus().getDescription());
        assertTrue(id.find(), e.getStatus().getDescription());
        return id.group(1);
    }

    private static void decide(String approvalId, String verb) throws Exception {
        var response = authority.post(authority.approver, "/api/v1/approvals/" + approvalId + "/" + verb, "application/json", "{}");
        assertEquals(200, response.statusCode(), response.body());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no parameters", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.clear(),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_request"),
                Arguments.of("wrong grant type", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setGrantType("password"),
                        false, Status.Code.INVALID_ARGUMENT, "unsupported_grant_type"),
                Arguments.of("no subject token", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.clearSubjectToken(),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_request"),
                Arguments.of("garbage subject token", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setSubjectToken("x.y.z"),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_request"),
                Arguments.of("actor token without its type", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setActorToken("a.b.c"),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_request"),
                Arguments.of("action not delegated", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setScope("invoices:write"),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_scope"),
                Arguments.of("two actions", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setScope("invoices:read payments:send"),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_scope"),
                Arguments.of("another tool", (UnaryOperator<ExchangeTokenRequest.Builder>)
                        r -> r.setResource("spiffe://agentledger.local/tool/mail"), false, Status.Code.INVALID_ARGUMENT, "invalid_target"),
                Arguments.of("malformed authorization details", (UnaryOperator<ExchangeTokenRequest.Builder>)
                        r -> r.setAuthorizationDetails("{"), false, Status.Code.INVALID_ARGUMENT, "invalid_authorization_details"),
                Arguments.of("malformed approval id", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r.setApprovalId("a b"),
                        false, Status.Code.INVALID_ARGUMENT, "invalid_request"),
                Arguments.of("another agent's chain", (UnaryOperator<ExchangeTokenRequest.Builder>) r -> r,
                        true, Status.Code.PERMISSION_DENIED, "unauthorized_client"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalsMapToStatus(String name, UnaryOperator<ExchangeTokenRequest.Builder> mutate, boolean asOtherAgent,
            Status.Code code, String oauthError) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> exchange(asOtherAgent ? otherAgent : agent, mutate.apply(request("invoices:read")).build()));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith(oauthError + ":"), e.getStatus().getDescription());
    }
}
