package dev.agentledger.verifierclient.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.guard.AccessDeniedException.Reason;
import dev.agentledger.verifierclient.replay.ConsumedTokens;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationCacheConfig;
import dev.agentledger.verifierclient.svid.TestAuthority;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each check of the guard refuses with its own reason. The feed here points at a closed port, so
 * every call that passes the credential checks ends at the revocation check, failing closed; the
 * admitted path, revocation and replay are exercised end to end against a real server in the
 * server module.
 */
class ToolGuardTest {
    private static final Instant NOW = TestAuthority.NOW;
    private static final String ISSUER = "spiffe://agents.example/agentledger/issuer";
    private static final String TOOL = "spiffe://agents.example/tool/db";
    private static final SpiffeId AGENT = SpiffeId.parse("spiffe://agents.example/agent/reader/1");
    private static final SpiffeId ALICE = SpiffeId.parse("spiffe://agents.example/user/alice");

    @TempDir
    Path dir;

    private final TestAuthority authority = authority();
    private final KeyPair tokenKey = TestAuthority.p256();
    private ToolGuard guard;
    private RevocationCache revocations;
    private ConsumedTokens consumed;
    private X509Certificate svid;

    @BeforeEach
    void setUp() throws Exception {
        svid = authority.svid(AGENT.value());
        InstantSource clock = InstantSource.fixed(NOW);
        SignerKey logKey = SignerKey.fromSeed("test/log", SignatureType.ED25519, new byte[32]);
        revocations = RevocationCache.create(LogVerifier.create("test/log", logKey.verifierKey(), List.of(), 0),
                RevocationCacheConfig.of("http://127.0.0.1:9").withClock(clock));
        consumed = ConsumedTokens.open(dir, clock);
        guard = new ToolGuard(TOOL, () -> {
            try {
                return authority.bundle();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, new TokenVerifier(TokenKeys.of(Map.of("k1", (ECPublicKey) tokenKey.getPublic())), ISSUER, clock),
                revocations, consumed, Optional.empty(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        revocations.close();
        consumed.close();
    }

    private String token(SpiffeId subject, X509Certificate boundTo, String action) throws Exception {
        CapabilityClaims claims = new CapabilityClaims(ISSUER, subject, TOOL, subject.value(), NOW, NOW.plusSeconds(30), "t1",
                action, TOOL, ALICE, List.of(subject), CapabilityClaims.certificateThumbprint(boundTo.getEncoded()),
                List.of("d1"), Optional.empty());
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(new JOSEObjectType("at+jwt")).build(),
                new Payload(claims.toClaims()));
        jws.sign(new ECDSASigner((ECPrivateKey) tokenKey.getPrivate()));
        return "Bearer " + jws.serialize();
    }

    private Reason refusal(List<X509Certificate> chain, Optional<String> authorization) {
        return assertThrows(AccessDeniedException.class,
                () -> guard.admit(chain, authorization, Optional.empty(), "db:read", TOOL)).reason();
    }

    @Test
    void eachCheckRefusesWithItsReason() throws Exception {
        String good = token(AGENT, svid, "db:read");
        assertEquals(Reason.NO_CLIENT_CERTIFICATE, refusal(List.of(), Optional.of(good)));
        assertEquals(Reason.INVALID_SVID, refusal(List.of(authority().svid(AGENT.value())), Optional.of(good)));
        assertEquals(Reason.NO_TOKEN, refusal(List.of(svid), Optional.empty()));
        assertEquals(Reason.NO_TOKEN, refusal(List.of(svid), Optional.of("Basic abc")));
        assertEquals(Reason.INVALID_TOKEN, refusal(List.of(svid), Optional.of("Bearer abc.def.ghi")));
        assertEquals(Reason.INSUFFICIENT_SCOPE, refusal(List.of(svid), Optional.of(token(AGENT, svid, "db:write"))));
        assertEquals(Reason.WRONG_HOLDER, refusal(List.of(svid), Optional.of(token(AGENT, authority.svid(AGENT.value()), "db:read"))));
        SpiffeId other = SpiffeId.parse("spiffe://agents.example/agent/other/2");
        assertEquals(Reason.WRONG_HOLDER, refusal(List.of(svid), Optional.of(token(other, svid, "db:read"))));
        AccessDeniedException stale = assertThrows(AccessDeniedException.class,
                () -> guard.admit(List.of(svid), Optional.of(good), Optional.empty(), "db:read", TOOL));
        assertEquals(Reason.UNAVAILABLE, stale.reason());
        assertEquals(503, stale.httpStatus());
        assertTrue(stale.getMessage().contains("revocation status unknown"), stale.getMessage());
        assertEquals(0, consumed.size(), "a refused call spends nothing");
    }

    private static TestAuthority authority() {
        try {
            return new TestAuthority("agents.example");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
