package dev.agentledger.verifierclient.tokens;

import static dev.agentledger.verifierclient.tokens.Minter.A1;
import static dev.agentledger.verifierclient.tokens.Minter.A2;
import static dev.agentledger.verifierclient.tokens.Minter.A3;
import static dev.agentledger.verifierclient.tokens.Minter.ALICE;
import static dev.agentledger.verifierclient.tokens.Minter.DB;
import static dev.agentledger.verifierclient.tokens.Minter.ISSUER;
import static dev.agentledger.verifierclient.tokens.Minter.NOW;
import static dev.agentledger.verifierclient.tokens.Minter.hop;
import static dev.agentledger.verifierclient.tokens.Minter.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DelegationChainTest {
    private final Minter minter = new Minter();

    private TokenVerifier verifier(Instant now) {
        return new TokenVerifier(minter.keys(), ISSUER, InstantSource.fixed(now));
    }

    @Test
    void aThreeHopChainVerifiesWithActNesting() throws Exception {
        DelegationClaims d1 = root();
        DelegationClaims d2 = hop(d1, A2, "d2");
        DelegationClaims d3 = new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1, A2, A3), List.of("db:read"), List.of(DB),
                0, "d3", Optional.of("d2"), NOW.plusSeconds(60), NOW.plusSeconds(60), NOW.plusSeconds(600));
        DelegationChain chain = verifier(NOW.plusSeconds(60)).verifyDelegationChain(minter.chain(d1, d2, d3));
        assertEquals(List.of(d1, d2, d3), chain.hops());
        assertEquals(A3, chain.delegate());
        assertEquals(ALICE, chain.user());
        assertEquals(List.of("d1", "d2", "d3"), chain.delegationIds());
        assertEquals(List.of(A1, A2, A3), chain.leaf().actors());
    }

    @Test
    void actIsNestedOutermostCurrent() throws Exception {
        Map<String, Object> claims = hop(root(), A2, "d2").toClaims();
        assertEquals(Map.of("sub", A2.value(), "act", Map.of("sub", A1.value())), claims.get("act"));
        assertEquals(List.of("iss", "sub", "aud", "act", "scope", "resources", "max_depth", "jti", "parent_jti", "iat", "nbf", "exp"),
                List.copyOf(claims.keySet()));
        assertEquals("db:* files:read", root().toClaims().get("scope"));
        assertEquals(false, root().toClaims().containsKey("parent_jti"), "a root delegation has no parent");
    }

    @Test
    void clockSkewIsFiveSecondsEachWay() throws Exception {
        String chain = minter.chain(root());
        verifier(NOW.minusSeconds(5)).verifyDelegationChain(chain);
        verifier(NOW.plusSeconds(3600 + 4)).verifyDelegationChain(chain);
        assertEquals(Reason.NOT_YET_VALID,
                assertThrows(TokenException.class, () -> verifier(NOW.minusSeconds(6)).verifyDelegationChain(chain)).reason());
        assertEquals(Reason.EXPIRED,
                assertThrows(TokenException.class, () -> verifier(NOW.plusSeconds(3605)).verifyDelegationChain(chain)).reason());
    }

    /** Builds a chain (serialized) that must be refused. */
    interface Bad {
        String chain(Minter m) throws Exception;
    }

    static Arguments refused(String name, Reason reason, Bad bad) {
        return Arguments.of(name, reason, bad);
    }

    /** The root hop's claims with {@code change} applied, signed as a delegation. */
    static String rawRoot(Minter m, Consumer<Map<String, Object>> change) {
        Map<String, Object> claims = new LinkedHashMap<>(root().toClaims());
        change.accept(claims);
        return m.sign(Minter.header("delegation+jwt"), claims);
    }

    /** A valid root token with its header replaced by {@code header} (the signature no longer covers it). */
    static String withHeader(Minter m, String header) {
        String token = m.delegation(root());
        return Minter.b64(header) + token.substring(token.indexOf('.'));
    }

    static DelegationClaims hopWith(DelegationClaims parent, List<SpiffeId> actors, List<String> scopes, List<String> resources,
            int maxDepth, String parentId, SpiffeId user, Instant nbf, Instant exp) {
        return new DelegationClaims(ISSUER, ISSUER, user, actors, scopes, resources, maxDepth, "d2", Optional.of(parentId), nbf, nbf, exp);
    }

    static Stream<Arguments> refusals() {
        DelegationClaims d1 = root();
        List<SpiffeId> a1a2 = List.of(A1, A2);
        Instant exp = NOW.plusSeconds(1800);
        return Stream.of(
                // Sub-delegation rules, hop by hop.
                refused("scope widened", Reason.WIDENED_SCOPE, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read", "files:write"), List.of(DB), 1, "d1", ALICE, NOW, exp))),
                refused("scope wildcard over a literal", Reason.WIDENED_SCOPE, m -> m.chain(d1, hop(d1, A2, "d2"),
                        new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1, A2, A3), List.of("db:*"), List.of(DB), 0, "d3",
                                Optional.of("d2"), NOW, NOW, exp))),
                refused("resources widened", Reason.WIDENED_RESOURCES, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of("spiffe://other.example/tool/db"), 1, "d1", ALICE, NOW, exp))),
                refused("expires after the parent", Reason.WIDENED_TIME, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of(DB), 1, "d1", ALICE, NOW, NOW.plusSeconds(3601)))),
                refused("starts before the parent", Reason.WIDENED_TIME, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of(DB), 1, "d1", ALICE, NOW.minusSeconds(1), exp))),
                refused("depth not reduced", Reason.DEPTH, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of(DB), 2, "d1", ALICE, NOW, exp))),
                refused("parent allows no sub-delegation", Reason.DEPTH, m -> {
                    DelegationClaims leafOnly = new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1), d1.scopes(), d1.resources(), 0,
                            "d1", Optional.empty(), NOW, NOW, NOW.plusSeconds(3600));
                    return m.chain(leafOnly, hopWith(leafOnly, a1a2, List.of("db:read"), List.of(DB), 0, "d1", ALICE, NOW, exp));
                }),
                refused("parent id of another delegation", Reason.CHAIN, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of(DB), 1, "d9", ALICE, NOW, exp))),
                refused("another user", Reason.CHAIN, m -> m.chain(d1,
                        hopWith(d1, a1a2, List.of("db:read"), List.of(DB), 1, "d1", SpiffeId.of("agents.example", "user/bob"), NOW, exp))),
                refused("act rewrites the earlier actor", Reason.CHAIN, m -> m.chain(d1,
                        hopWith(d1, List.of(A3, A2), List.of("db:read"), List.of(DB), 1, "d1", ALICE, NOW, exp))),
                refused("act adds two actors", Reason.CHAIN, m -> m.chain(d1,
                        hopWith(d1, List.of(A1, A3, A2), List.of("db:read"), List.of(DB), 1, "d1", ALICE, NOW, exp))),
                refused("act delegates back to an earlier actor", Reason.CHAIN, m -> m.chain(d1,
                        hopWith(d1, List.of(A1, A1), List.of("db:read"), List.of(DB), 1, "d1", ALICE, NOW, exp))),
                refused("first hop is not a root delegation", Reason.CHAIN, m -> m.chain(hop(d1, A2, "d2"))),
                refused("hop from another issuer", Reason.ISSUER, m -> m.chain(d1, new DelegationClaims("spiffe://other.example/issuer",
                        ISSUER, ALICE, a1a2, List.of("db:read"), List.of(DB), 1, "d2", Optional.of("d1"), NOW, NOW, exp))),
                refused("audience is not the authority", Reason.AUDIENCE, m -> m.chain(new DelegationClaims(ISSUER,
                        "spiffe://agents.example/tool/db", ALICE, List.of(A1), d1.scopes(), d1.resources(), 2, "d1", Optional.empty(),
                        NOW, NOW, NOW.plusSeconds(3600)))),
                refused("lifetime over 24 hours", Reason.LIFETIME, m -> m.chain(new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1),
                        d1.scopes(), d1.resources(), 2, "d1", Optional.empty(), NOW, NOW, NOW.plus(Duration.ofHours(24)).plusSeconds(1)))),
                refused("nine hops", Reason.DEPTH, m -> String.join("~", Collections.nCopies(9, m.delegation(d1)))),
                refused("chain too long", Reason.OVERSIZE, m -> "a".repeat(DelegationChain.MAX_LENGTH + 1)),
                refused("empty hop", Reason.MALFORMED, m -> m.delegation(d1) + "~~" + m.delegation(d1)),
                refused("max_depth beyond eight hops", Reason.DEPTH, m -> rawRoot(m, c -> c.put("max_depth", 8L))),
                refused("act nested nine deep", Reason.DEPTH, m -> rawRoot(m, c -> {
                    Map<String, Object> act = Map.of("sub", A1.value());
                    for (int i = 0; i < 8; i++) {
                        act = Map.of("sub", SpiffeId.of("agents.example", "agent/x" + i).value(), "act", act);
                    }
                    c.put("act", act);
                })),
                // Claims.
                refused("unknown claim", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("admin", true))),
                refused("missing exp", Reason.MALFORMED, m -> rawRoot(m, c -> c.remove("exp"))),
                refused("exp as a string", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("exp", "tomorrow"))),
                refused("scope with a double space", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("scope", "db:*  files:read"))),
                refused("scope repeats a pattern", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("scope", "db:* db:*"))),
                refused("resource pattern with a bad star", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("resources", List.of("tool*")))),
                refused("sub is not a user", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("sub", A2.value()))),
                refused("act with another member", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("act", Map.of("sub", A1.value(), "iss", "x")))),
                refused("root with a parent", Reason.MALFORMED, m -> rawRoot(m, c -> c.put("parent_jti", "d0"))),
                refused("duplicate claim name", Reason.MALFORMED, m -> {
                    String json = JSONObjectUtils.toJSONString(root().toClaims());
                    return Minter.sign(JSONObjectUtils.toJSONString(Minter.header("delegation+jwt")),
                            json.substring(0, json.length() - 1) + ",\"sub\":\"" + ALICE.value() + "\"}", m.key);
                }),
                // The JWS itself.
                refused("alg none", Reason.ALGORITHM, m -> {
                    String token = withHeader(m, "{\"alg\":\"none\",\"kid\":\"key-1\",\"typ\":\"delegation+jwt\"}");
                    return token.substring(0, token.lastIndexOf('.') + 1);
                }),
                refused("HS256 keyed with the public key", Reason.ALGORITHM, m -> {
                    String header = Minter.b64("{\"alg\":\"HS256\",\"kid\":\"key-1\",\"typ\":\"delegation+jwt\"}");
                    String input = header + "." + Minter.b64(JSONObjectUtils.toJSONString(root().toClaims()));
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                    mac.init(new javax.crypto.spec.SecretKeySpec(m.key.getPublic().getEncoded(), "HmacSHA256"));
                    return input + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                            mac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                }),
                refused("EdDSA", Reason.ALGORITHM, m -> withHeader(m, "{\"alg\":\"EdDSA\",\"kid\":\"key-1\",\"typ\":\"delegation+jwt\"}")),
                refused("ES384", Reason.ALGORITHM, m -> withHeader(m, "{\"alg\":\"ES384\",\"kid\":\"key-1\",\"typ\":\"delegation+jwt\"}")),
                refused("unknown kid", Reason.UNKNOWN_KEY, m -> Minter.sign(
                        "{\"alg\":\"ES256\",\"kid\":\"key-2\",\"typ\":\"delegation+jwt\"}", JSONObjectUtils.toJSONString(root().toClaims()), m.key)),
                refused("crit header", Reason.HEADER, m -> signedWithHeader(m, "crit", List.of("exp"))),
                refused("jwk header", Reason.HEADER, m -> signedWithHeader(m, "jwk", Map.of("kty", "EC"))),
                refused("jku header", Reason.HEADER, m -> signedWithHeader(m, "jku", "https://evil.example/jwks")),
                refused("x5u header", Reason.HEADER, m -> signedWithHeader(m, "x5u", "https://evil.example/cert")),
                refused("x5c header", Reason.HEADER, m -> signedWithHeader(m, "x5c", List.of("MIIB"))),
                refused("no typ", Reason.HEADER, m -> Minter.sign("{\"alg\":\"ES256\",\"kid\":\"key-1\"}",
                        JSONObjectUtils.toJSONString(root().toClaims()), m.key)),
                refused("typ of a capability token", Reason.TYPE, m -> m.sign(Minter.header("at+jwt"), root().toClaims())),
                refused("typ JWT", Reason.TYPE, m -> m.sign(Minter.header("JWT"), root().toClaims())),
                refused("signed by another key under the same kid", Reason.SIGNATURE, m -> Minter.sign(
                        JSONObjectUtils.toJSONString(Minter.header("delegation+jwt")), JSONObjectUtils.toJSONString(root().toClaims()),
                        Minter.newKey())),
                refused("payload changed", Reason.SIGNATURE, m -> {
                    String[] p = m.delegation(root()).split("\\.");
                    return p[0] + "." + Minter.b64(JSONObjectUtils.toJSONString(root().toClaims()).replace("files:read", "files:*")) + "." + p[2];
                }),
                refused("signature cut short", Reason.SIGNATURE, m -> {
                    String token = m.delegation(root());
                    byte[] signature = java.util.Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
                    return token.substring(0, token.lastIndexOf('.') + 1) + java.util.Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(java.util.Arrays.copyOf(signature, 63));
                }),
                refused("signature with stray low bits", Reason.MALFORMED, m -> {
                    String token = m.delegation(root());
                    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                    // 64 bytes take 86 characters; the last one carries 4 bits and 2 zero bits: set the lowest.
                    char changed = alphabet.charAt(alphabet.indexOf(token.charAt(token.length() - 1)) + 1);
                    return token.substring(0, token.length() - 1) + changed;
                }),
                refused("padded base64", Reason.MALFORMED, m -> m.delegation(root()) + "="),
                refused("two parts", Reason.MALFORMED, m -> {
                    String token = m.delegation(root());
                    return token.substring(0, token.lastIndexOf('.'));
                }),
                refused("header with a duplicate name", Reason.MALFORMED, m -> withHeader(m,
                        "{\"alg\":\"ES256\",\"kid\":\"key-1\",\"typ\":\"delegation+jwt\",\"alg\":\"ES256\"}")),
                refused("header not JSON", Reason.MALFORMED, m -> withHeader(m, "alg=ES256")),
                refused("token over 8 KiB", Reason.OVERSIZE, m -> rawRoot(m, c -> c.put("resources", padded(40)))));
    }

    private static String signedWithHeader(Minter m, String name, Object value) {
        Map<String, Object> header = Minter.header("delegation+jwt");
        header.put(name, value);
        return m.sign(header, root().toClaims());
    }

    private static List<String> padded(int n) {
        List<String> resources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            resources.add("spiffe://agents.example/tool/" + "x".repeat(200) + i);
        }
        return resources;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String name, Reason reason, Bad bad) throws Exception {
        String chain = bad.chain(minter);
        TokenException e = assertThrows(TokenException.class, () -> verifier(NOW).verifyDelegationChain(chain));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void theBaselinesOfTheRefusalsVerify() throws Exception {
        DelegationClaims d1 = root();
        verifier(NOW).verifyDelegationChain(minter.chain(d1, hop(d1, A2, "d2")));
        verifier(NOW).verifyDelegationChain(rawRoot(minter, c -> {}));
        verifier(NOW).verifyDelegationChain(String.join("~", Collections.nCopies(1, minter.delegation(d1))));
    }

    @Test
    void aHopThatAddsAllowedPatternsMayNarrowToTheSameSet() throws Exception {
        DelegationClaims d1 = root();
        DelegationClaims same = new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1, A2), d1.scopes(), d1.resources(), 1, "d2",
                Optional.of("d1"), d1.issuedAt(), d1.notBefore(), d1.expiresAt());
        assertEquals(2, verifier(NOW).verifyDelegationChain(minter.chain(d1, same)).hops().size(), "equal is narrow enough");
    }

    @Test
    void requireAllowsChecksActionAndResource() throws Exception {
        DelegationClaims d1 = root();
        d1.requireAllows("db:write", DB);
        assertEquals(Reason.ACTION, assertThrows(TokenException.class, () -> d1.requireAllows("files:write", DB)).reason());
        assertEquals(Reason.ACTION, assertThrows(TokenException.class, () -> d1.requireAllows("db:*", DB)).reason(),
                "a pattern is not one action");
        assertEquals(Reason.RESOURCE, assertThrows(TokenException.class,
                () -> d1.requireAllows("db:read", "spiffe://other.example/tool/db")).reason());
    }
}
