package dev.agentledger.verifierclient.tokens;

import static dev.agentledger.verifierclient.tokens.Minter.A1;
import static dev.agentledger.verifierclient.tokens.Minter.A2;
import static dev.agentledger.verifierclient.tokens.Minter.ALICE;
import static dev.agentledger.verifierclient.tokens.Minter.DB;
import static dev.agentledger.verifierclient.tokens.Minter.ISSUER;
import static dev.agentledger.verifierclient.tokens.Minter.NOW;
import static dev.agentledger.verifierclient.tokens.Minter.capability;
import static dev.agentledger.verifierclient.tokens.Minter.certificate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
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

class CapabilityTokenTest {
    private final Minter minter = new Minter();
    private final X509Certificate agentA = certificate("agent-a");

    private CapabilityClaims verify(String token, Instant now, String audience, String action, String resource, X509Certificate cert)
            throws TokenException {
        return new TokenVerifier(minter.keys(), ISSUER, InstantSource.fixed(now)).verifyCapability(token, audience, action, resource, cert);
    }

    private String token(Consumer<Map<String, Object>> change) throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>(capability().toClaims());
        change.accept(claims);
        return minter.sign(Minter.header("at+jwt"), claims);
    }

    @Test
    void aValidTokenVerifiesToItsClaims() throws Exception {
        assertEquals(capability(), verify(token(c -> {}), NOW, DB, "db:read", DB, agentA));
        assertEquals(capability(), verify(token(c -> {}), NOW.plusSeconds(34), DB, "db:read", DB, agentA), "5 s of skew");
    }

    @Test
    void claimsAreTheRfc9068OnesWithActAndCnf() throws Exception {
        Map<String, Object> claims = capability().toClaims();
        assertEquals(List.of("iss", "sub", "aud", "client_id", "iat", "exp", "jti", "scope", "resource", "acting_user", "act", "cnf",
                "delegation_ids"), List.copyOf(claims.keySet()));
        assertEquals(Map.of("sub", A2.value(), "act", Map.of("sub", A1.value())), claims.get("act"));
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(agentA.getEncoded());
        assertEquals(Map.of("x5t#S256", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256)), claims.get("cnf"));
        assertEquals(DB, claims.get("aud"), "aud is the one resource, as a string");
    }

    @Test
    void applicationAtJwtIsAlsoAccepted() throws Exception {
        String token = minter.sign(Minter.header("application/at+jwt"), capability().toClaims());
        assertEquals(capability(), verify(token, NOW, DB, "db:read", DB, agentA));
    }

    @Test
    void authorizationDetailsRoundTrip() throws Exception {
        AuthorizationDetails details = AuthorizationDetails.parse("[{\"type\":\"db_write\",\"rows\":1200,\"tables\":[\"invoices\"]}]");
        CapabilityClaims c = capability();
        CapabilityClaims withDetails = new CapabilityClaims(c.issuer(), c.subject(), c.audience(), c.clientId(), c.issuedAt(),
                c.expiresAt(), c.id(), c.action(), c.resource(), c.actingUser(), c.actors(), c.certificateSha256(), c.delegationIds(),
                Optional.of(details));
        String token = minter.sign(Minter.header("at+jwt"), withDetails.toClaims());
        assertEquals(Optional.of(details), verify(token, NOW, DB, "db:read", DB, agentA).authorizationDetails());
    }

    /** Builds a token that must be refused. */
    interface Bad {
        String token(CapabilityTokenTest t) throws Exception;
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("another audience", Reason.AUDIENCE, (Bad) t -> t.token(c -> c.put("aud", "spiffe://agents.example/tool/files"))),
                Arguments.of("another action", Reason.ACTION, (Bad) t -> t.token(c -> c.put("scope", "db:write"))),
                Arguments.of("another resource", Reason.RESOURCE, (Bad) t -> t.token(c -> c.put("resource", DB + "/admin"))),
                Arguments.of("bound to another certificate", Reason.CONFIRMATION, (Bad) t -> t.token(c -> c.put("cnf",
                        Map.of("x5t#S256", thumbprint(certificate("agent-b")))))),
                Arguments.of("expired", Reason.EXPIRED, (Bad) t -> t.token(c -> {
                    c.put("iat", NOW.minusSeconds(36).getEpochSecond());
                    c.put("exp", NOW.minusSeconds(5).getEpochSecond());
                })),
                Arguments.of("issued in the future", Reason.NOT_YET_VALID, (Bad) t -> t.token(c -> {
                    c.put("iat", NOW.plusSeconds(6).getEpochSecond());
                    c.put("exp", NOW.plusSeconds(36).getEpochSecond());
                })),
                Arguments.of("lives 61 seconds", Reason.LIFETIME, (Bad) t -> t.token(c -> c.put("exp", NOW.plusSeconds(61).getEpochSecond()))),
                Arguments.of("another issuer", Reason.ISSUER, (Bad) t -> t.token(c -> c.put("iss", "spiffe://other.example/issuer"))),
                Arguments.of("typ of a delegation", Reason.TYPE, (Bad) t -> t.minter.sign(Minter.header("delegation+jwt"), capability().toClaims())),
                Arguments.of("a delegation token", Reason.TYPE, (Bad) t -> t.minter.delegation(Minter.root())),
                Arguments.of("typ JWT", Reason.TYPE, (Bad) t -> t.minter.sign(Minter.header("JWT"), capability().toClaims())),
                Arguments.of("unknown claim", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("admin", true))),
                Arguments.of("no cnf", Reason.MALFORMED, (Bad) t -> t.token(c -> c.remove("cnf"))),
                Arguments.of("cnf with another member", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("cnf",
                        Map.of("x5t#S256", thumbprint(certificate("agent-a")), "jkt", "x")))),
                Arguments.of("sub is not the outermost actor", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("act",
                        Map.of("sub", A1.value(), "act", Map.of("sub", A2.value()))))),
                Arguments.of("client_id is not sub", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("client_id", A1.value()))),
                Arguments.of("two actions", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("scope", "db:read db:write"))),
                Arguments.of("an action pattern", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("scope", "db:*"))),
                Arguments.of("aud as an array", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("aud", List.of(DB)))),
                Arguments.of("delegation ids do not match the actors", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("delegation_ids",
                        List.of("d2")))),
                Arguments.of("authorization_details without type", Reason.MALFORMED, (Bad) t -> t.token(c -> c.put("authorization_details",
                        List.of(Map.of("rows", 5L))))),
                Arguments.of("signed by another key", Reason.SIGNATURE, (Bad) t -> Minter.sign(
                        com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Minter.header("at+jwt")),
                        com.nimbusds.jose.util.JSONObjectUtils.toJSONString(capability().toClaims()), Minter.newKey())),
                Arguments.of("alg none", Reason.ALGORITHM, (Bad) t -> {
                    String token = t.token(c -> {});
                    return Minter.b64("{\"alg\":\"none\",\"kid\":\"key-1\",\"typ\":\"at+jwt\"}")
                            + token.substring(token.indexOf('.'), token.lastIndexOf('.') + 1);
                }),
                Arguments.of("HS256 keyed with the public key", Reason.ALGORITHM, (Bad) t -> {
                    String input = Minter.b64("{\"alg\":\"HS256\",\"kid\":\"key-1\",\"typ\":\"at+jwt\"}") + "."
                            + Minter.b64(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(capability().toClaims()));
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                    mac.init(new javax.crypto.spec.SecretKeySpec(t.minter.key.getPublic().getEncoded(), "HmacSHA256"));
                    return input + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                            mac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                }),
                Arguments.of("EdDSA where ES256 is required", Reason.ALGORITHM, (Bad) t -> Minter.sign(
                        "{\"alg\":\"EdDSA\",\"kid\":\"key-1\",\"typ\":\"at+jwt\"}",
                        com.nimbusds.jose.util.JSONObjectUtils.toJSONString(capability().toClaims()), t.minter.key)));
    }

    static String thumbprint(X509Certificate certificate) {
        try {
            return CapabilityClaims.certificateThumbprint(certificate.getEncoded());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String name, Reason reason, Bad bad) throws Exception {
        String token = bad.token(this);
        TokenException e = assertThrows(TokenException.class, () -> verify(token, NOW, DB, "db:read", DB, agentA));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void theRequestMustMatchTheToken() throws Exception {
        String token = token(c -> {});
        assertEquals(Reason.AUDIENCE, assertThrows(TokenException.class,
                () -> verify(token, NOW, "spiffe://agents.example/tool/files", "db:read", DB, agentA)).reason());
        assertEquals(Reason.ACTION, assertThrows(TokenException.class, () -> verify(token, NOW, DB, "db:write", DB, agentA)).reason());
        assertEquals(Reason.RESOURCE, assertThrows(TokenException.class, () -> verify(token, NOW, DB, "db:read", DB + "/x", agentA)).reason());
        assertEquals(Reason.CONFIRMATION, assertThrows(TokenException.class,
                () -> verify(token, NOW, DB, "db:read", DB, certificate("agent-b"))).reason());
        assertEquals(Reason.EXPIRED, assertThrows(TokenException.class, () -> verify(token, NOW.plusSeconds(35), DB, "db:read", DB, agentA)).reason());
    }

    @Test
    void theRecordRefusesWhatTheFormatForbids() throws Exception {
        CapabilityClaims c = capability();
        assertThrows(IllegalArgumentException.class, () -> new CapabilityClaims(c.issuer(), c.subject(), c.audience(), c.clientId(),
                c.issuedAt(), c.issuedAt().plusSeconds(61), c.id(), c.action(), c.resource(), ALICE, c.actors(), c.certificateSha256(),
                c.delegationIds(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new CapabilityClaims(c.issuer(), c.subject(), c.audience(), c.clientId(),
                c.issuedAt(), c.expiresAt(), c.id(), "db:*", c.resource(), ALICE, c.actors(), c.certificateSha256(),
                c.delegationIds(), Optional.empty()));
    }
}
