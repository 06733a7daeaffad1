package dev.agentledger.verifierclient.svid;

import static dev.agentledger.verifierclient.svid.TestAuthority.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.agentledger.merkle.VerificationException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

class SvidVerifierTest {
    private static final String ID = "spiffe://agents.example/agent/research/1";

    private final TestAuthority authority = authority("agents.example");

    @Test
    void aGoodX509SvidVerifiesWithItsThumbprint() throws Exception {
        X509Certificate svid = authority.svid(ID);
        VerifiedX509Svid verified = X509SvidVerifier.verify(List.of(svid), authority.bundle(), NOW);
        assertEquals(ID, verified.spiffeId().value());
        assertEquals(X509SvidVerifier.thumbprint(svid), verified.thumbprint());
    }

    @Test
    void eachX509RuleRefuses() throws Exception {
        SpiffeBundle bundle = authority.bundle();
        KeyPair key = TestAuthority.p256();
        X509Certificate ok = authority.svid(ID);
        assertRefused("not in trust domain", () -> X509SvidVerifier.verify(List.of(authority.svid("spiffe://other.example/agent/x")), bundle, NOW));
        assertRefused("has no path", () -> X509SvidVerifier.verify(List.of(authority.svid("spiffe://agents.example")), bundle, NOW));
        assertRefused("cA=true", () -> X509SvidVerifier.verify(List.of(authority.certificate(key, authority.caKey, ID, true,
                KeyUsage.digitalSignature, NOW.minusSeconds(60), NOW.plusSeconds(60))), bundle, NOW));
        assertRefused("key usage", () -> X509SvidVerifier.verify(List.of(authority.certificate(key, authority.caKey, ID, false,
                KeyUsage.digitalSignature | KeyUsage.keyCertSign, NOW.minusSeconds(60), NOW.plusSeconds(60))), bundle, NOW));
        assertRefused("key usage", () -> X509SvidVerifier.verify(List.of(authority.certificate(key, authority.caKey, ID, false,
                0, NOW.minusSeconds(60), NOW.plusSeconds(60))), bundle, NOW));
        assertRefused("URI SANs", () -> X509SvidVerifier.verify(List.of(authority.certificate(key, authority.caKey, null, false,
                KeyUsage.digitalSignature, NOW.minusSeconds(60), NOW.plusSeconds(60))), bundle, NOW));
        assertRefused("not a SPIFFE ID", () -> X509SvidVerifier.verify(List.of(authority.certificate(key, authority.caKey,
                "https://agents.example/x", false, KeyUsage.digitalSignature, NOW.minusSeconds(60), NOW.plusSeconds(60))), bundle, NOW));
        assertRefused("does not validate", () -> X509SvidVerifier.verify(List.of(ok), bundle, NOW.plusSeconds(7200)));
        assertRefused("does not validate", () -> X509SvidVerifier.verify(List.of(authority("agents.example").svid(ID)), bundle, NOW));
        assertRefused("certificates", () -> X509SvidVerifier.verify(List.of(), bundle, NOW));
    }

    @Test
    void aGoodJwtSvidVerifies() throws Exception {
        VerifiedJwtSvid verified = JwtSvidVerifier.verify(authority.jwtSvid(ID, "tool:search", NOW.plusSeconds(300)),
                "tool:search", authority.bundle(), NOW);
        assertEquals(ID, verified.spiffeId().value());
        assertEquals("j1", verified.tokenId().orElseThrow());
    }

    @Test
    void eachJwtRuleRefuses() throws Exception {
        SpiffeBundle bundle = authority.bundle();
        String good = authority.jwtSvid(ID, "tool:search", NOW.plusSeconds(300));
        assertRefused("want it to contain", () -> JwtSvidVerifier.verify(good, "tool:other", bundle, NOW));
        assertRefused("expired", () -> JwtSvidVerifier.verify(good, "tool:search", bundle, NOW.plusSeconds(300)));
        assertRefused("trust domain", () -> JwtSvidVerifier.verify(authority.jwtSvid("spiffe://other.example/a", "tool:search",
                NOW.plusSeconds(300)), "tool:search", bundle, NOW));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(ID).audience("tool:search")
                .expirationTime(Date.from(NOW.plusSeconds(300))).build();
        assertRefused("exp is missing", () -> JwtSvidVerifier.verify(authority.jwt(header().build(),
                new JWTClaimsSet.Builder().subject(ID).audience("tool:search").build()), "tool:search", bundle, NOW));
        assertRefused("typ", () -> JwtSvidVerifier.verify(authority.jwt(header().type(new JOSEObjectType("at+jwt")).build(), claims),
                "tool:search", bundle, NOW));
        assertRefused("header has", () -> JwtSvidVerifier.verify(authority.jwt(header().contentType("x").build(), claims),
                "tool:search", bundle, NOW));
        assertRefused("kid", () -> JwtSvidVerifier.verify(authority.jwt(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("nope").build(),
                claims), "tool:search", bundle, NOW));
        // alg none: an unsigned token naming a real kid
        String none = new PlainJWT(claims).serialize();
        String noneWithKid = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + authority.jwtKid + "\"}") + none.substring(none.indexOf('.'));
        assertRefused("not allowed", () -> JwtSvidVerifier.verify(noneWithKid, "tool:search", bundle, NOW));
        // algorithm confusion: HS256 keyed with the public key's bytes
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(authority.jwtKid).build(), claims);
        hmac.sign(new MACSigner(java.util.Arrays.copyOf(authority.jwtKey.getPublic().getEncoded(), 64)));
        assertRefused("not allowed", () -> JwtSvidVerifier.verify(hmac.serialize(), "tool:search", bundle, NOW));
        // a token signed by another key under the bundle's kid
        TestAuthority forger = authority("agents.example");
        assertRefused("signature", () -> JwtSvidVerifier.verify(forger.jwtSvid(ID, "tool:search", NOW.plusSeconds(300)),
                "tool:search", bundle, NOW));
        assertRefused("parts", () -> JwtSvidVerifier.verify("a.b", "tool:search", bundle, NOW));
        assertRefused("longer than", () -> JwtSvidVerifier.verify("a".repeat(9000), "tool:search", bundle, NOW));
    }

    @Test
    void bundleParsing() throws Exception {
        SpiffeBundle bundle = authority.bundle();
        assertEquals(7, bundle.sequence());
        assertEquals(300, bundle.refreshHint().orElseThrow().toSeconds());
        assertEquals(List.of(authority.ca), bundle.x509Authorities());
        assertTrue(bundle.jwtAuthorities().containsKey(authority.jwtKid));
        assertRefused("use", () -> SpiffeBundle.parse("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" 
                + "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}", "agents.example"));
        assertRefused("not a SPIFFE bundle", () -> SpiffeBundle.parse("[]", "agents.example"));
        assertRefused("larger than", () -> SpiffeBundle.parse(" ".repeat(SpiffeBundle.MAX_BYTES + 1), "agents.example"));
    }

    private static JWSHeader.Builder header() {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("jwt-1");
    }

    private static TestAuthority authority(String trustDomain) {
        try {
            return new TestAuthority(trustDomain);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Check {
        void run() throws Exception;
    }

    private static void assertRefused(String reason, Check check) {
        VerificationException e = assertThrows(VerificationException.class, check::run);
        assertTrue(e.getMessage().contains(reason), "want a refusal mentioning '" + reason + "', got: " + e.getMessage());
    }
}
