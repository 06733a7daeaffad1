package dev.agentledger.issuer;

import static dev.agentledger.issuer.DelegationsTest.ALICE;
import static dev.agentledger.issuer.DelegationsTest.DB;
import static dev.agentledger.issuer.DelegationsTest.PLANNER;
import static dev.agentledger.issuer.DelegationsTest.READER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.issuer.TokenExchangeException.Error;
import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenExchangeTest extends IssuerOnLogTest {
    private static final Map<String, Verdict.Outcome> POLICY = Map.of(
            "db:read", Verdict.Outcome.ALLOW,
            "db:write", Verdict.Outcome.NEEDS_APPROVAL,
            "db:drop", Verdict.Outcome.DENY);

    private X509Certificate planner;
    private X509Certificate reader;
    private String chain;

    @BeforeEach
    void delegate() throws Exception {
        planner = log.issuer.issueX509Svid(PLANNER, Csrs.of(Csrs.p256())).credential();
        reader = log.issuer.issueX509Svid(READER, Csrs.of(Csrs.p256())).credential();
        Delegations delegations = new Delegations(log.issuer);
        Delegation root = delegations.grant(ALICE, DelegationsTest.rootRequest()).credential();
        chain = delegations.subDelegate(PLANNER, root.chain(), new DelegationRequest(READER, List.of("db:read", "db:write", "db:drop"),
                List.of(DB), Duration.ofMinutes(30), 0)).credential().chain();
    }

    private TokenExchange exchange(Set<String> approved) {
        return new TokenExchange(log.issuer, new TableGate(log.issuer, POLICY, approved));
    }

    private Map<String, List<String>> form(String... extra) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        form.put("grant_type", List.of(TokenExchangeRequest.GRANT_TYPE));
        form.put("subject_token", List.of(chain));
        form.put("subject_token_type", List.of(DelegationChain.TOKEN_TYPE));
        form.put("resource", List.of(DB));
        form.put("scope", List.of("db:read"));
        for (int i = 0; i < extra.length; i += 2) {
            if (extra[i + 1] == null) {
                form.remove(extra[i]);
            } else {
                form.put(extra[i], List.of(extra[i + 1]));
            }
        }
        return form;
    }

    private TokenExchangeResponse exchange(Map<String, List<String>> form, X509Certificate caller) throws TokenExchangeException {
        return exchange(Set.of()).exchange(TokenExchangeRequest.parse(form), Optional.ofNullable(caller));
    }

    @Test
    void issuesABoundLoggedCapabilityToken() throws Exception {
        TokenExchangeResponse response = exchange(form("authorization_details", "[{\"type\":\"db_read\",\"rows\":10}]"), reader);
        Map<String, Object> body = JSONObjectUtils.parse(response.json());
        assertEquals(Set.of("access_token", "issued_token_type", "token_type", "expires_in", "scope", "agentledger_log"), body.keySet());
        assertEquals("urn:ietf:params:oauth:token-type:access_token", body.get("issued_token_type"));
        assertEquals("Bearer", body.get("token_type"));
        assertEquals(30L, ((Number) body.get("expires_in")).longValue());
        assertEquals("db:read", body.get("scope"));
        assertEquals(200, response.httpStatus());

        String token = (String) body.get("access_token");
        String[] parts = token.split("\\.");
        assertEquals(Map.of("alg", "ES256", "kid", log.issuer.authorities().accessToken().keyId(), "typ", "at+jwt"),
                JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString()));
        CapabilityClaims claims = log.issuer.tokenVerifier().verifyCapability(token, DB, "db:read", DB, reader);
        assertEquals(READER, claims.subject());
        assertEquals(List.of(PLANNER, READER), claims.actors());
        assertEquals(ALICE, claims.actingUser());
        assertEquals("[{\"type\":\"db_read\",\"rows\":10}]", claims.authorizationDetails().orElseThrow().json());
        assertEquals(Map.of("sub", READER.value(), "act", Map.of("sub", PLANNER.value())),
                JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString()).get("act"));

        Map<?, ?> proof = (Map<?, ?>) body.get("agentledger_log");
        long index = ((Number) proof.get("index")).longValue();
        assertEquals(response.issued().index(), index);
        assertEquals(response.issued().leafHash(), Hash.fromBase64((String) proof.get("leaf_hash")));
        response.issued().proof().verify(response.issued().leafHash(), response.issued().checkpoint().checkpoint().root());
        assertEquals(response.issued().checkpointNote(), proof.get("checkpoint"));

        LogEntry entry = LogEntries.parse(log.entryBytes(index));
        CapabilityTokenIssued event = entry.getCapabilityTokenIssued();
        assertEquals(claims.id(), event.getTokenId());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)), event.getTokenSha256().toByteArray());
        assertEquals(READER.value(), event.getSubjectSpiffeId());
        assertEquals(claims.delegationIds().get(1), event.getDelegationId());
        assertEquals("db:read", event.getAction());
        assertEquals(DB, event.getResource());
        assertTrue(event.getSingleUse());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(reader.getEncoded()), event.getConfirmationCertificateSha256().toByteArray());
        assertTrue(LogEntries.parse(log.entryBytes(index - 1)).hasPolicyDecision(), "the decision is logged before the token");

        for (int i = 0; i < log.size(); i++) {
            for (String part : parts) {
                assertFalse(JwtSvidTest.contains(log.entryBytes(i), part.getBytes(StandardCharsets.US_ASCII)), "entry " + i + " holds a token part");
            }
        }
    }

    @Test
    void aJwtSvidActorTokenNamingTheCallerIsAccepted() throws Exception {
        String svid = log.issuer.issueJwtSvid(READER, List.of(log.config.authorityId().value())).credential().token();
        exchange(form("actor_token", svid, "actor_token_type", TokenExchangeRequest.JWT_TOKEN_TYPE), reader);
    }

    @Test
    void anActorTokenSignedByARotatedInKeyIsAcceptedByTheSameExchange() throws Exception {
        TokenExchange exchange = exchange(Set.of());
        List<String> audience = List.of(log.config.authorityId().value());
        String before = log.issuer.issueJwtSvid(READER, audience).credential().token();
        exchange.exchange(TokenExchangeRequest.parse(form("actor_token", before, "actor_token_type", TokenExchangeRequest.JWT_TOKEN_TYPE)),
                Optional.of(reader));
        log.issuer.rotateJwtKey();
        String after = log.issuer.issueJwtSvid(READER, audience).credential().token();
        for (String svid : List.of(after, before)) { // the new key's, then the retired key's (still published)
            exchange.exchange(TokenExchangeRequest.parse(form("actor_token", svid, "actor_token_type", TokenExchangeRequest.JWT_TOKEN_TYPE)),
                    Optional.of(reader));
        }
    }

    @Test
    void theTokenNeverOutlivesTheDelegation() throws Exception {
        log.clock.advance(Duration.ofMinutes(30).minusSeconds(10));
        TokenExchangeResponse response = exchange(form(), reader);
        assertEquals(10L, ((Number) JSONObjectUtils.parse(response.json()).get("expires_in")).longValue());
    }

    @Test
    void approvalIsPendingThenUsedWhenGranted() throws Exception {
        TokenExchangeException pending = assertThrows(TokenExchangeException.class, () -> exchange(form("scope", "db:write"), reader));
        assertEquals(Error.AUTHORIZATION_PENDING, pending.error());
        String approvalId = pending.approvalId().orElseThrow();
        Map<String, Object> body = JSONObjectUtils.parse(pending.json());
        assertEquals("authorization_pending", body.get("error"));
        assertEquals(approvalId, body.get("approval_id"));

        TokenExchangeResponse response = exchange(Set.of(approvalId)).exchange(
                TokenExchangeRequest.parse(form("scope", "db:write", "approval_id", approvalId)), Optional.of(reader));
        assertEquals(approvalId, LogEntries.parse(log.entryBytes(response.issued().index())).getCapabilityTokenIssued().getApprovalId());
    }

    /** A request that must be refused, and how the caller presents itself. */
    interface Attempt {
        TokenExchangeResponse run(TokenExchangeTest t) throws Exception;
    }

    static Arguments refused(String name, Error error, Attempt attempt) {
        return Arguments.of(name, error, attempt);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                // RFC 6749 / 8693 / 8707 / 9396 parameter rules.
                refused("grant_type missing", Error.INVALID_REQUEST, t -> t.exchange(t.form("grant_type", null), t.reader)),
                refused("grant_type of another flow", Error.UNSUPPORTED_GRANT_TYPE, t -> t.exchange(t.form("grant_type", "client_credentials"), t.reader)),
                refused("a parameter sent twice", Error.INVALID_REQUEST, t -> {
                    Map<String, List<String>> form = t.form();
                    form.put("scope", List.of("db:read", "db:read"));
                    return t.exchange(form, t.reader);
                }),
                refused("subject_token missing", Error.INVALID_REQUEST, t -> t.exchange(t.form("subject_token", null), t.reader)),
                refused("subject_token empty", Error.INVALID_REQUEST, t -> t.exchange(t.form("subject_token", ""), t.reader)),
                refused("subject_token_type missing", Error.INVALID_REQUEST, t -> t.exchange(t.form("subject_token_type", null), t.reader)),
                refused("subject_token_type jwt", Error.INVALID_REQUEST, t -> t.exchange(t.form("subject_token_type",
                        TokenExchangeRequest.JWT_TOKEN_TYPE), t.reader)),
                refused("actor_token without its type", Error.INVALID_REQUEST, t -> t.exchange(t.form("actor_token", "a.b.c"), t.reader)),
                refused("actor_token_type without a token", Error.INVALID_REQUEST, t -> t.exchange(t.form("actor_token_type",
                        TokenExchangeRequest.JWT_TOKEN_TYPE), t.reader)),
                refused("actor_token_type of an access token", Error.INVALID_REQUEST, t -> t.exchange(t.form("actor_token", "a.b.c",
                        "actor_token_type", TokenExchangeRequest.ACCESS_TOKEN_TYPE), t.reader)),
                refused("requested_token_type id_token", Error.INVALID_REQUEST, t -> t.exchange(t.form("requested_token_type",
                        "urn:ietf:params:oauth:token-type:id_token"), t.reader)),
                refused("resource missing", Error.INVALID_TARGET, t -> t.exchange(t.form("resource", null), t.reader)),
                refused("resource relative", Error.INVALID_TARGET, t -> t.exchange(t.form("resource", "tool/db"), t.reader)),
                refused("resource with a fragment", Error.INVALID_TARGET, t -> t.exchange(t.form("resource", DB + "#x"), t.reader)),
                refused("audience other than the resource", Error.INVALID_TARGET, t -> t.exchange(t.form("audience",
                        "spiffe://agents.example/tool/files"), t.reader)),
                refused("scope missing", Error.INVALID_SCOPE, t -> t.exchange(t.form("scope", null), t.reader)),
                refused("two actions", Error.INVALID_SCOPE, t -> t.exchange(t.form("scope", "db:read db:write"), t.reader)),
                refused("an action pattern", Error.INVALID_SCOPE, t -> t.exchange(t.form("scope", "db:*"), t.reader)),
                refused("authorization_details not an array", Error.INVALID_AUTHORIZATION_DETAILS, t -> t.exchange(t.form(
                        "authorization_details", "{\"type\":\"x\"}"), t.reader)),
                refused("authorization_details oversize", Error.INVALID_REQUEST, t -> t.exchange(t.form(
                        "authorization_details", "[{\"type\":\"" + "x".repeat(3000) + "\"}]"), t.reader)),
                refused("approval_id with spaces", Error.INVALID_REQUEST, t -> t.exchange(t.form("approval_id", "a b"), t.reader)),
                // The caller.
                refused("no client certificate", Error.INVALID_CLIENT, t -> t.exchange(t.form(), null)),
                refused("the caller is not the delegate", Error.UNAUTHORIZED_CLIENT, t -> t.exchange(t.form(), t.planner)),
                refused("actor_token of another agent", Error.UNAUTHORIZED_CLIENT, t -> t.exchange(t.form("actor_token",
                        t.log.issuer.issueJwtSvid(PLANNER, List.of(t.log.config.authorityId().value())).credential().token(),
                        "actor_token_type", TokenExchangeRequest.JWT_TOKEN_TYPE), t.reader)),
                refused("actor_token for another audience", Error.INVALID_REQUEST, t -> t.exchange(t.form("actor_token",
                        t.log.issuer.issueJwtSvid(READER, List.of(DB)).credential().token(),
                        "actor_token_type", TokenExchangeRequest.JWT_TOKEN_TYPE), t.reader)),
                // The subject token.
                refused("subject token expired", Error.INVALID_REQUEST, t -> {
                    t.log.clock.advance(Duration.ofMinutes(31));
                    return t.exchange(t.form(), t.reader);
                }),
                refused("subject token forged (alg none)", Error.INVALID_REQUEST, t -> {
                    String[] hops = t.chain.split("~");
                    String leaf = hops[1];
                    String none = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + t.log.issuer.authorities().accessToken().keyId()
                            + "\",\"typ\":\"delegation+jwt\"}") + leaf.substring(leaf.indexOf('.'), leaf.lastIndexOf('.') + 1);
                    return t.exchange(t.form("subject_token", hops[0] + "~" + none), t.reader);
                }),
                refused("subject token widened in transit", Error.INVALID_REQUEST, t -> {
                    String[] hops = t.chain.split("~");
                    String[] p = hops[1].split("\\.");
                    String claims = new Base64URL(p[1]).decodeToString().replace("db:read db:write db:drop", "*");
                    return t.exchange(t.form("subject_token", hops[0] + "~" + p[0] + "." + Base64URL.encode(claims) + "." + p[2]), t.reader);
                }),
                refused("subject token is a capability token", Error.INVALID_REQUEST, t -> t.exchange(t.form("subject_token",
                        t.exchange(t.form(), t.reader).issued().credential().token()), t.reader)),
                refused("action outside the delegation", Error.INVALID_SCOPE, t -> t.exchange(t.form("scope", "files:read"), t.reader)),
                refused("resource outside the delegation", Error.INVALID_TARGET, t -> t.exchange(t.form("resource",
                        "spiffe://agents.example/tool/files"), t.reader)),
                // The policy gate.
                refused("denied by policy", Error.ACCESS_DENIED, t -> t.exchange(t.form("scope", "db:drop"), t.reader)),
                refused("approval not granted", Error.AUTHORIZATION_PENDING, t -> t.exchange(t.form("scope", "db:write",
                        "approval_id", "approval-unknown"), t.reader)),
                // The log.
                refused("the log is down", Error.TEMPORARILY_UNAVAILABLE, t -> {
                    t.log.ledger.close();
                    return t.exchange(t.form(), t.reader);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String name, Error error, Attempt attempt) throws Exception {
        TokenExchangeException e = assertThrows(TokenExchangeException.class, () -> attempt.run(this));
        assertEquals(error, e.error(), e.getMessage());
        assertEquals(error.status(), e.httpStatus());
        Map<String, Object> body = JSONObjectUtils.parse(e.json());
        assertEquals(error.code(), body.get("error"));
        String description = (String) body.get("error_description");
        assertTrue(description.chars().allMatch(c -> c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'), description);
        if (!name.equals("the log is down")) {
            long issued = log.entries().stream().filter(LogEntry::hasCapabilityTokenIssued).count();
            assertEquals(name.equals("subject token is a capability token") ? 1 : 0, issued, "nothing is issued on refusal");
        }
    }

    @Test
    void theStatusesAreTheRfcOnes() {
        assertEquals(401, Error.INVALID_CLIENT.status());
        assertEquals(403, Error.ACCESS_DENIED.status());
        assertEquals(503, Error.TEMPORARILY_UNAVAILABLE.status());
        for (Error e : List.of(Error.INVALID_REQUEST, Error.UNAUTHORIZED_CLIENT, Error.UNSUPPORTED_GRANT_TYPE, Error.INVALID_SCOPE,
                Error.INVALID_TARGET, Error.INVALID_AUTHORIZATION_DETAILS, Error.AUTHORIZATION_PENDING)) {
            assertEquals(400, e.status(), e.code());
        }
    }

    @Test
    void theLifetimeIsBounded() {
        TableGate gate = new TableGate(log.issuer, POLICY, Set.of());
        assertThrows(IllegalArgumentException.class, () -> new TokenExchange(log.issuer, gate, Duration.ofSeconds(61)));
        assertThrows(IllegalArgumentException.class, () -> new TokenExchange(log.issuer, gate, Duration.ZERO));
        assertEquals(SpiffeId.of(TestLog.TRUST_DOMAIN, "agentledger/issuer"), log.config.authorityId());
    }
}
