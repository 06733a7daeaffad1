package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DelegationsTest extends IssuerOnLogTest {
    static final String TD = TestLog.TRUST_DOMAIN;
    static final SpiffeId ALICE = SpiffeId.of(TD, "user/alice");
    static final SpiffeId PLANNER = SpiffeId.of(TD, "agent/planner/1");
    static final SpiffeId READER = SpiffeId.of(TD, "agent/reader/2");
    static final SpiffeId SUMMARIZER = SpiffeId.of(TD, "agent/summarizer/3");
    static final String DB = "spiffe://agents.example/tool/db";

    static DelegationRequest rootRequest() {
        return new DelegationRequest(PLANNER, List.of("db:*", "files:read"), List.of("spiffe://agents.example/tool/*"), Duration.ofHours(1), 2);
    }

    static DelegationRequest narrower(SpiffeId delegate) {
        return new DelegationRequest(delegate, List.of("db:read"), List.of(DB), Duration.ofMinutes(30), 1);
    }

    private Delegations delegations() {
        return new Delegations(log.issuer);
    }

    @Test
    void rootDelegationIsSignedLoggedAndVerifiesOffline() throws Exception {
        LoggedCredential<Delegation> granted = delegations().grant(ALICE, rootRequest());
        Delegation delegation = granted.credential();
        String authority = log.config.authorityId().value();

        String[] parts = delegation.chain().split("\\.");
        assertEquals(3, parts.length, "a root chain is one JWS");
        assertEquals(Map.of("alg", "ES256", "kid", log.issuer.authorities().accessToken().keyId(), "typ", "delegation+jwt"),
                JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString()));
        Map<String, Object> claims = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
        assertEquals(authority, claims.get("iss"));
        assertEquals(authority, claims.get("aud"));
        assertEquals(ALICE.value(), claims.get("sub"));
        assertEquals(Map.of("sub", PLANNER.value()), claims.get("act"));
        assertEquals("db:* files:read", claims.get("scope"));
        assertEquals(2L, ((Number) claims.get("max_depth")).longValue());
        assertEquals(TestLog.START.getEpochSecond() + 3600, ((Number) claims.get("exp")).longValue());

        DelegationChain chain = log.issuer.tokenVerifier().verifyDelegationChain(delegation.chain());
        assertEquals(delegation.claims(), chain.leaf());

        granted.proof().verify(granted.leafHash(), granted.checkpoint().checkpoint().root());
        DelegationGranted event = LogEntries.parse(log.entryBytes(granted.index())).getDelegationGranted();
        assertEquals(delegation.claims().id(), event.getDelegationId());
        assertEquals("", event.getParentDelegationId());
        assertEquals(1, event.getChainDepth());
        assertEquals(ALICE.value(), event.getActingUser().getSubject());
        assertEquals("", event.getDelegatorSpiffeId());
        assertEquals(PLANNER.value(), event.getDelegateSpiffeId());
        assertEquals(List.of("db:*", "files:read"), event.getScopesList());
        assertEquals(List.of(authority), event.getAudienceList());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(delegation.chain().getBytes(StandardCharsets.US_ASCII)),
                event.getTokenSha256().toByteArray());
        assertFalse(delegation.toString().contains(parts[2]), "toString hides the token");
    }

    @Test
    void subDelegationNarrowsAndNestsAct() throws Exception {
        Delegation root = delegations().grant(ALICE, rootRequest()).credential();
        log.clock.advance(Duration.ofMinutes(1));
        LoggedCredential<Delegation> second = delegations().subDelegate(PLANNER, root.chain(), narrower(READER));
        LoggedCredential<Delegation> third = delegations().subDelegate(READER, second.credential().chain(),
                new DelegationRequest(SUMMARIZER, List.of("db:read"), List.of(DB), Duration.ofMinutes(5), 0));

        DelegationChain chain = log.issuer.tokenVerifier().verifyDelegationChain(third.credential().chain());
        assertEquals(3, chain.hops().size());
        assertEquals(List.of(PLANNER, READER, SUMMARIZER), chain.leaf().actors());
        Map<String, Object> act = third.credential().claims().toClaims();
        assertEquals(Map.of("sub", SUMMARIZER.value(), "act", Map.of("sub", READER.value(), "act", Map.of("sub", PLANNER.value()))),
                act.get("act"));

        DelegationGranted event = LogEntries.parse(log.entryBytes(second.index())).getDelegationGranted();
        assertEquals(root.claims().id(), event.getParentDelegationId());
        assertEquals(2, event.getChainDepth());
        assertEquals(PLANNER.value(), event.getDelegatorSpiffeId());
        assertEquals(READER.value(), event.getDelegateSpiffeId());

        for (String token : DelegationChain.split(third.credential().chain())) {
            for (int i = 0; i < log.size(); i++) {
                for (String part : token.split("\\.")) {
                    assertFalse(JwtSvidTest.contains(log.entryBytes(i), part.getBytes(StandardCharsets.US_ASCII)),
                            "entry " + i + " holds a delegation token part");
                }
            }
        }
    }

    /** A sub-delegation the issuer must refuse, with the reason. */
    interface Refusal {
        LoggedCredential<Delegation> attempt(Delegations d, Delegation root, TestLog log) throws Exception;
    }

    static Stream<Arguments> subDelegationRefusals() {
        return Stream.of(
                Arguments.of("scope widened", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("db:read", "payments:send"), List.of(DB), Duration.ofMinutes(5), 0))),
                Arguments.of("wildcard widened", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("*"), List.of(DB), Duration.ofMinutes(5), 0))),
                Arguments.of("resources widened", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("db:read"), List.of("spiffe://other.example/tool/db"), Duration.ofMinutes(5), 0))),
                Arguments.of("outlives the parent", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("db:read"), List.of(DB), Duration.ofHours(2), 0))),
                Arguments.of("depth not reduced", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("db:read"), List.of(DB), Duration.ofMinutes(5), 2))),
                Arguments.of("caller is not the delegate", Reason.NOT_PERMITTED, (Refusal) (d, r, l) -> d.subDelegate(READER, r.chain(),
                        narrower(SUMMARIZER))),
                Arguments.of("back to an earlier actor", Reason.INVALID_DELEGATION, (Refusal) (d, r, l) -> {
                    Delegation second = d.subDelegate(PLANNER, r.chain(), narrower(READER)).credential();
                    return d.subDelegate(READER, second.chain(), new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB),
                            Duration.ofMinutes(5), 0));
                }),
                Arguments.of("parent allows no further hop", Reason.WIDENING_REFUSED, (Refusal) (d, r, l) -> {
                    Delegation leafOnly = d.grant(ALICE, new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB), Duration.ofHours(1), 0))
                            .credential();
                    return d.subDelegate(PLANNER, leafOnly.chain(), new DelegationRequest(READER, List.of("db:read"), List.of(DB),
                            Duration.ofMinutes(5), 0));
                }),
                Arguments.of("expired chain", Reason.INVALID_SUBJECT_TOKEN, (Refusal) (d, r, l) -> {
                    l.clock.advance(Duration.ofHours(2));
                    return d.subDelegate(PLANNER, r.chain(), narrower(READER));
                }),
                Arguments.of("forged chain", Reason.INVALID_SUBJECT_TOKEN, (Refusal) (d, r, l) -> {
                    String[] p = r.chain().split("\\.");
                    String claims = new Base64URL(p[1]).decodeToString().replace("db:*", "*");
                    return d.subDelegate(PLANNER, p[0] + "." + Base64URL.encode(claims) + "." + p[2], narrower(READER));
                }),
                Arguments.of("root given as a later hop", Reason.INVALID_SUBJECT_TOKEN, (Refusal) (d, r, l) ->
                        d.subDelegate(PLANNER, DelegationChain.extend(r.chain(), r.chain()), narrower(READER))),
                Arguments.of("bad pattern", Reason.INVALID_DELEGATION, (Refusal) (d, r, l) -> d.subDelegate(PLANNER, r.chain(),
                        new DelegationRequest(READER, List.of("db read"), List.of(DB), Duration.ofMinutes(5), 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subDelegationRefusals")
    void subDelegationRefusals(String name, Reason reason, Refusal refusal) throws Exception {
        Delegation root = delegations().grant(ALICE, rootRequest()).credential();
        long before = log.size();
        IssuanceException e = assertThrows(IssuanceException.class, () -> refusal.attempt(delegations(), root, log));
        assertEquals(reason, e.reason(), e.getMessage());
        long granted = log.entries().stream().skip(before).filter(x -> x.hasDelegationGranted()).count();
        long expected = switch (name) {
            case "back to an earlier actor", "parent allows no further hop" -> 1;
            default -> 0;
        };
        assertEquals(expected, granted, "a refused delegation is not logged");
    }

    static Stream<Arguments> rootRefusals() {
        return Stream.of(
                Arguments.of("bad scope pattern", Reason.INVALID_DELEGATION,
                        new DelegationRequest(PLANNER, List.of("db*"), List.of(DB), Duration.ofHours(1), 0)),
                Arguments.of("no scope", Reason.INVALID_DELEGATION, new DelegationRequest(PLANNER, List.of(), List.of(DB), Duration.ofHours(1), 0)),
                Arguments.of("no resource", Reason.INVALID_DELEGATION,
                        new DelegationRequest(PLANNER, List.of("db:read"), List.of(), Duration.ofHours(1), 0)),
                Arguments.of("delegate is a user", Reason.INVALID_DELEGATION,
                        new DelegationRequest(SpiffeId.of(TD, "user/bob"), List.of("db:read"), List.of(DB), Duration.ofHours(1), 0)),
                Arguments.of("delegate of another trust domain", Reason.INVALID_DELEGATION,
                        new DelegationRequest(SpiffeId.of("other.example", "agent/x"), List.of("db:read"), List.of(DB), Duration.ofHours(1), 0)),
                Arguments.of("more than 24 hours", Reason.INVALID_TTL,
                        new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB), Duration.ofHours(25), 0)),
                Arguments.of("zero lifetime", Reason.INVALID_TTL, new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB), Duration.ZERO, 0)),
                Arguments.of("depth beyond eight hops", Reason.INVALID_DELEGATION,
                        new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB), Duration.ofHours(1), DelegationChain.MAX_HOPS)),
                Arguments.of("negative depth", Reason.INVALID_DELEGATION,
                        new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB), Duration.ofHours(1), -1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rootRefusals")
    void rootRefusals(String name, Reason reason, DelegationRequest request) throws Exception {
        long before = log.size();
        IssuanceException e = assertThrows(IssuanceException.class, () -> delegations().grant(ALICE, request));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, log.size());
    }

    @Test
    void onlyUsersGrantRootDelegations() {
        assertThrows(IllegalArgumentException.class, () -> delegations().grant(PLANNER, rootRequest()));
        assertThrows(IllegalArgumentException.class, () -> delegations().grant(SpiffeId.of("other.example", "user/alice"), rootRequest()));
    }

    @Test
    void theMaximumLifetimeIsAccepted() throws Exception {
        DelegationClaims claims = delegations().grant(ALICE, new DelegationRequest(PLANNER, List.of("db:read"), List.of(DB),
                DelegationClaims.MAX_LIFETIME, 7)).credential().claims();
        assertEquals(TestLog.START.plus(DelegationClaims.MAX_LIFETIME), claims.expiresAt());
    }
}
