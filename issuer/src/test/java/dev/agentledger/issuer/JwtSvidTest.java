package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.JwtSvidIssued;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtSvidTest extends IssuerOnLogTest {
    private static final SpiffeId AGENT = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/research/7");
    private static final List<String> AUDIENCE = List.of("spiffe://agents.example/tool/search");


    @Test
    void headerAndClaimsAreExactlyTheStandardOnes() throws Exception {
        JwtSvid svid = log.issuer.issueJwtSvid(AGENT, AUDIENCE).credential();
        String[] parts = svid.token().split("\\.");
        Map<String, Object> header = JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString());
        assertEquals(Map.of("alg", "ES256", "kid", log.issuer.authorities().jwt().keyId(), "typ", "JWT"), header);
        Map<String, Object> claims = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
        assertEquals(Set.of("sub", "aud", "exp", "iat", "jti"), claims.keySet());
        assertEquals(AGENT.value(), claims.get("sub"));
        assertEquals(AUDIENCE, claims.get("aud"), "aud is an array even with one value");
        long iat = ((Number) claims.get("iat")).longValue();
        assertEquals(TestLog.START.getEpochSecond(), iat);
        assertEquals(iat + 300, ((Number) claims.get("exp")).longValue(), "default lifetime five minutes");
        assertEquals(svid.tokenId(), claims.get("jti"));
        assertTrue(svid.tokenId().length() >= 22, "128 random bits");
        assertEquals(64, Base64URL.from(parts[2]).decode().length, "ES256 signature is R || S");
    }

    @Test
    void verifiesWithTheBundleKey() throws Exception {
        JwtSvid svid = log.issuer.issueJwtSvid(AGENT, AUDIENCE, Duration.ofMinutes(10)).credential();
        assertEquals(AGENT, verifier().verify(svid.token(), AUDIENCE.get(0)));
        assertEquals(TestLog.START.plus(Duration.ofMinutes(10)), svid.expiresAt());
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
                Arguments.of("alg none", (Forgery) (t, l) -> unsigned(t, "{\"alg\":\"none\",\"kid\":\"" + kid(t) + "\",\"typ\":\"JWT\"}")),
                Arguments.of("HS256 keyed with the public key", (Forgery) (t, l) -> {
                    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid(t)).type(JOSEObjectType.JWT).build(),
                            new Payload(new Base64URL(t.split("\\.")[1])));
                    jws.sign(new MACSigner(l.issuer.authorities().jwt().publicKey().getEncoded()));
                    return jws.serialize();
                }),
                Arguments.of("ES256 by another key with the same kid", (Forgery) (t, l) -> {
                    KeyPair other = Csrs.p256();
                    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid(t)).type(JOSEObjectType.JWT).build(),
                            new Payload(new Base64URL(t.split("\\.")[1])));
                    jws.sign(new ECDSASigner((ECPrivateKey) other.getPrivate()));
                    return jws.serialize();
                }),
                Arguments.of("unknown kid", (Forgery) (t, l) -> t.replaceFirst("^[^.]+", Base64URL.encode(
                        "{\"alg\":\"ES256\",\"kid\":\"nope\",\"typ\":\"JWT\"}").toString())),
                Arguments.of("extra header", (Forgery) (t, l) -> t.replaceFirst("^[^.]+", Base64URL.encode(
                        "{\"alg\":\"ES256\",\"kid\":\"" + kid(t) + "\",\"typ\":\"JWT\",\"jku\":\"https://evil\"}").toString())),
                Arguments.of("payload changed", (Forgery) (t, l) -> {
                    String[] p = t.split("\\.");
                    String claims = new Base64URL(p[1]).decodeToString().replace("research", "admin");
                    return p[0] + "." + Base64URL.encode(claims) + "." + p[2];
                }),
                Arguments.of("signature cut", (Forgery) (t, l) -> t.substring(0, t.length() - 4)),
                Arguments.of("two parts", (Forgery) (t, l) -> t.substring(0, t.lastIndexOf('.'))),
                Arguments.of("expired", (Forgery) (t, l) -> {
                    l.clock.advance(Duration.ofMinutes(5));
                    return t;
                }));
    }

    /** Turns a valid token into one the verifier must refuse; may move the log's clock. */
    interface Forgery {
        String apply(String token, TestLog log) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void verifierRefuses(String name, Forgery forgery) throws Exception {
        String token = log.issuer.issueJwtSvid(AGENT, AUDIENCE).credential().token();
        String forged = forgery.apply(token, log);
        assertThrows(VerificationException.class, () -> verifier().verify(forged, AUDIENCE.get(0)));
    }

    @Test
    void verifierRefusesAnotherAudience() throws Exception {
        String token = log.issuer.issueJwtSvid(AGENT, AUDIENCE).credential().token();
        assertThrows(VerificationException.class, () -> verifier().verify(token, "spiffe://agents.example/tool/other"));
    }

    @Test
    void loggedByIdAndHashNeverTheTokenNorAPrivateKey() throws Exception {
        LoggedCredential<JwtSvid> issued = log.issuer.issueJwtSvid(AGENT, AUDIENCE);
        JwtSvid svid = issued.credential();
        byte[] entry = log.entryBytes(issued.index());
        issued.proof().verify(issued.leafHash(), issued.checkpoint().checkpoint().root());

        JwtSvidIssued event = LogEntries.parse(entry).getJwtSvidIssued();
        assertEquals(AGENT.value(), event.getSpiffeId());
        assertEquals(svid.tokenId(), event.getTokenId());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(svid.token().getBytes(StandardCharsets.US_ASCII)),
                event.getTokenSha256().toByteArray());
        assertEquals(AUDIENCE, event.getAudienceList());
        assertEquals(svid.issuedAt().toEpochMilli(), event.getValidity().getNotBeforeUnixMillis());
        assertEquals(svid.expiresAt().toEpochMilli(), event.getValidity().getNotAfterUnixMillis());
        assertEquals(svid.keyId(), event.getIssuerKeyId());

        String[] parts = svid.token().split("\\.");
        for (int i = 0; i < log.size(); i++) {
            byte[] bytes = log.entryBytes(i);
            for (String part : parts) {
                assertFalse(contains(bytes, part.getBytes(StandardCharsets.US_ASCII)), "entry " + i + " holds a token part");
            }
            assertFalse(contains(bytes, Base64URL.from(parts[2]).decode()), "entry " + i + " holds the raw signature");
            for (SigningKey key : log.issuer.authorities().all().stream().filter(SigningKey::canSign).toList()) {
                assertFalse(contains(bytes, key.privateKey().getEncoded()), "entry " + i + " holds a PKCS#8 private key");
                assertFalse(contains(bytes, unsigned32(((java.security.interfaces.ECPrivateKey) key.privateKey()).getS().toByteArray())), "entry " + i + " holds a private scalar");
            }
        }
    }

    static Stream<Arguments> badAudiences() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= Issuer.MAX_AUDIENCES; i++) {
            many.add("tool-" + i);
        }
        return Stream.of(
                Arguments.of("empty", List.of()),
                Arguments.of("null", null),
                Arguments.of("blank", List.of(" ")),
                Arguments.of("null value", Collections.singletonList((String) null)),
                Arguments.of("duplicate", List.of("a", "a")),
                Arguments.of("too long", List.of("a".repeat(513))),
                Arguments.of("too many", many));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAudiences")
    void audienceIsRequired(String name, List<String> audience) {
        long before = log.size();
        IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.issueJwtSvid(AGENT, audience));
        assertEquals(Reason.INVALID_AUDIENCE, e.reason());
        assertEquals(before, log.size());
    }

    static Stream<Arguments> lifetimes() {
        return Stream.of(
                Arguments.of(Duration.ofSeconds(1), true),
                Arguments.of(Duration.ofHours(1), true),
                Arguments.of(Duration.ZERO, false),
                Arguments.of(Duration.ofSeconds(-1), false),
                Arguments.of(Duration.ofHours(1).plusSeconds(1), false));
    }

    @ParameterizedTest
    @MethodSource("lifetimes")
    void lifetimeIsAtMostAnHour(Duration ttl, boolean accepted) throws Exception {
        long before = log.size();
        if (accepted) {
            JwtSvid svid = log.issuer.issueJwtSvid(AGENT, AUDIENCE, ttl).credential();
            assertEquals(ttl, Duration.between(svid.issuedAt(), svid.expiresAt()));
            assertEquals(before + 1, log.size());
        } else {
            IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.issueJwtSvid(AGENT, AUDIENCE, ttl));
            assertEquals(Reason.INVALID_TTL, e.reason());
            assertEquals(before, log.size());
        }
    }

    @Test
    void toStringDoesNotPrintTheToken() throws Exception {
        JwtSvid svid = log.issuer.issueJwtSvid(AGENT, AUDIENCE).credential();
        assertFalse(svid.toString().contains(svid.token().split("\\.")[2]));
    }

    private JwtSvidCheck verifier() {
        return new JwtSvidCheck(log.issuer.trustBundle(), TestLog.TRUST_DOMAIN, log.clock);
    }

    private static String kid(String token) throws Exception {
        return (String) JSONObjectUtils.parse(new Base64URL(token.split("\\.")[0]).decodeToString()).get("kid");
    }

    private static String unsigned(String token, String header) {
        return Base64URL.encode(header) + "." + token.split("\\.")[1] + ".";
    }

    private static byte[] unsigned32(byte[] twosComplement) {
        byte[] out = new byte[32];
        int copy = Math.min(32, twosComplement.length);
        System.arraycopy(twosComplement, twosComplement.length - copy, out, 32 - copy, copy);
        return out;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
