package dev.agentledger.verifierclient.tokens;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.proto.SpiffeId;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs test tokens the way an authority would, with its own P-256 key, by hand (JDK ECDSA in
 * R || S form, JSON by nimbus), so tests can also sign headers and claims the issuer never would.
 */
final class Minter {
    static final String ISSUER = "spiffe://agents.example/agentledger/issuer";
    static final String KID = "key-1";
    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    static final SpiffeId ALICE = SpiffeId.of("agents.example", "user/alice");
    static final SpiffeId A1 = SpiffeId.of("agents.example", "agent/planner/1");
    static final SpiffeId A2 = SpiffeId.of("agents.example", "agent/db-reader/2");
    static final SpiffeId A3 = SpiffeId.of("agents.example", "agent/summarizer/3");
    static final String DB = "spiffe://agents.example/tool/db";

    final KeyPair key;

    /** A minter with a fresh key. */
    Minter() {
        this(newKey());
    }

    /** A minter signing with {@code key}. */
    Minter(KeyPair key) {
        this.key = key;
    }

    /** The same P-256 key on every call (a seeded generator): for committed fuzzing seeds that must verify. */
    static KeyPair fixedKey() {
        try {
            java.security.SecureRandom random = java.security.SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(20261120L);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    TokenKeys keys() {
        return TokenKeys.of(Map.of(KID, (ECPublicKey) key.getPublic()));
    }

    /** A header of exactly alg ES256, kid and typ. */
    static Map<String, Object> header(String typ) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "ES256");
        header.put("kid", KID);
        header.put("typ", typ);
        return header;
    }

    String sign(Map<String, Object> header, Map<String, Object> claims) {
        return sign(JSONObjectUtils.toJSONString(header), JSONObjectUtils.toJSONString(claims), key);
    }

    /** Signs the exact texts given with ES256 (whatever the header says). */
    static String sign(String headerJson, String claimsJson, KeyPair key) {
        String input = b64(headerJson) + "." + b64(claimsJson);
        try {
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(key.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    String delegation(DelegationClaims claims) {
        return sign(header("delegation+jwt"), claims.toClaims());
    }

    /** A root delegation from alice to A1: db:* and tool patterns, depth 2, valid an hour from NOW. */
    static DelegationClaims root() {
        return new DelegationClaims(ISSUER, ISSUER, ALICE, List.of(A1), List.of("db:*", "files:read"),
                List.of("spiffe://agents.example/tool/*"), 2, "d1", Optional.empty(), NOW, NOW, NOW.plusSeconds(3600));
    }

    /** {@code parent} narrowed for {@code delegate}: db:read on DB, 30 minutes, one less depth. */
    static DelegationClaims hop(DelegationClaims parent, SpiffeId delegate, String id) {
        List<SpiffeId> actors = new java.util.ArrayList<>(parent.actors());
        actors.add(delegate);
        return new DelegationClaims(ISSUER, ISSUER, ALICE, actors, List.of("db:read"), List.of(DB), parent.maxDepth() - 1,
                id, Optional.of(parent.id()), NOW, NOW, NOW.plusSeconds(1800));
    }

    String chain(DelegationClaims... hops) {
        String chain = delegation(hops[0]);
        for (int i = 1; i < hops.length; i++) {
            chain = DelegationChain.extend(chain, delegation(hops[i]));
        }
        return chain;
    }

    static X509Certificate certificate(String name) {
        try (InputStream in = Minter.class.getResourceAsStream(name + ".pem")) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A capability token's claims for A2 under the chain d1 -> d2: db:read on DB, 30 s, bound to agent-a. */
    static CapabilityClaims capability() throws Exception {
        return new CapabilityClaims(ISSUER, A2, DB, A2.value(), NOW, NOW.plusSeconds(30), "t1", "db:read", DB, ALICE,
                List.of(A1, A2), CapabilityClaims.certificateThumbprint(certificate("agent-a").getEncoded()),
                List.of("d1", "d2"), Optional.empty());
    }
}
