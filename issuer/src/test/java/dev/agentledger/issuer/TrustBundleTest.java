package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.KeyPublished;
import dev.agentledger.proto.v1.KeyUse;
import dev.agentledger.proto.v1.LogEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrustBundleTest extends IssuerOnLogTest {
    private static final SpiffeId AGENT = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/deploy/3");


    @Test
    void bundleIsASpiffeJwks() throws Exception {
        Map<String, Object> bundle = JSONObjectUtils.parse(log.issuer.trustBundle().json());
        assertEquals(Set.of("keys", "spiffe_sequence", "spiffe_refresh_hint"), bundle.keySet());
        assertEquals(1L, ((Number) bundle.get("spiffe_sequence")).longValue());
        assertEquals(300L, ((Number) bundle.get("spiffe_refresh_hint")).longValue());
        List<?> keys = (List<?>) bundle.get("keys");
        assertEquals(2, keys.size());
        Map<?, ?> x509 = (Map<?, ?>) keys.get(0);
        Map<?, ?> jwt = (Map<?, ?>) keys.get(1);
        assertEquals(Set.of("kty", "crv", "x", "y", "use", "x5c"), x509.keySet());
        assertEquals("x509-svid", x509.get("use"));
        assertEquals(Set.of("kty", "crv", "x", "y", "use", "kid"), jwt.keySet());
        assertEquals("jwt-svid", jwt.get("use"));
        assertEquals(log.issuer.issueJwtSvid(AGENT, List.of("tool")).credential().keyId(), jwt.get("kid"));
        assertEquals("EC", jwt.get("kty"));
        assertEquals("P-256", jwt.get("crv"));
        assertEquals(log.issuer.caCertificate(), X509SvidTest.bundleAuthority(log.issuer.trustBundle().json()));
    }

    @Test
    void keysAreLoggedBeforeTheySignAnything() throws Exception {
        log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256()));
        log.issuer.issueJwtSvid(AGENT, List.of("tool"));
        log.issuer.rotateCaKey();
        log.issuer.rotateJwtKey();
        log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256()));
        log.issuer.issueJwtSvid(AGENT, List.of("tool"));

        Set<String> published = new HashSet<>();
        int signed = 0;
        for (LogEntry entry : log.entries()) {
            switch (entry.getEventCase()) {
                case KEY_PUBLISHED -> published.add(entry.getKeyPublished().getKeyId());
                case X509_SVID_ISSUED -> {
                    assertTrue(published.contains(entry.getX509SvidIssued().getIssuerKeyId()));
                    signed++;
                }
                case JWT_SVID_ISSUED -> {
                    assertTrue(published.contains(entry.getJwtSvidIssued().getIssuerKeyId()));
                    signed++;
                }
                default -> throw new AssertionError("unexpected entry " + entry);
            }
        }
        assertEquals(4, signed);
        assertEquals(5, published.size(), "two CA, two JWT-SVID and one access-token key");
    }

    @Test
    void keysRotateWhenAThirdOfTheirLifetimeIsLeft(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TestLog shortLived = new TestLog(dir, Duration.ofHours(30))) {
            String ca = shortLived.issuer.authorities().ca().keyId();
            assertEquals(List.of(), shortLived.issuer.rotateDue());
            shortLived.clock.advance(Duration.ofHours(19));
            assertEquals(List.of(), shortLived.issuer.rotateDue(), "11 h of 30 left: not due");
            shortLived.clock.advance(Duration.ofHours(2));
            assertEquals(List.of(Issuer.KeyRole.CA, Issuer.KeyRole.JWT_SVID, Issuer.KeyRole.ACCESS_TOKEN),
                    shortLived.issuer.rotateDue(), "9 h of 30 left: every key is due");
            assertNotEquals(ca, shortLived.issuer.authorities().ca().keyId());
            assertEquals(List.of(), shortLived.issuer.rotateDue(), "the new keys have their whole lifetime");
            long rotations = shortLived.entries().stream().filter(LogEntry::hasKeyPublished)
                    .filter(e -> !e.getKeyPublished().getPreviousKeyId().isEmpty()).count();
            assertEquals(3, rotations, "each rotation is logged");
        }
    }

    @Test
    void caRotationOverlapsUntilTheOldCertificatesExpire() throws Exception {
        X509Certificate oldCa = log.issuer.caCertificate();
        X509Certificate oldLeaf = log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())).credential();
        String oldKeyId = log.issuer.authorities().ca().keyId();

        log.issuer.rotateCaKey();
        X509Certificate newCa = log.issuer.caCertificate();
        assertNotEquals(oldCa, newCa);
        X509Certificate newLeaf = log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())).credential();
        newLeaf.verify(newCa.getPublicKey());
        TrustBundle during = log.issuer.trustBundle();
        assertEquals(2, during.sequence());
        assertEquals(List.of(newCa, oldCa), during.x509Authorities());

        KeyPublished rotated = log.entries().stream().filter(LogEntry::hasKeyPublished).map(LogEntry::getKeyPublished)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(KeyUse.KEY_USE_X509_SVID, rotated.getUse());
        assertEquals(oldKeyId, rotated.getPreviousKeyId());
        assertEquals(log.issuer.authorities().ca().keyId(), rotated.getKeyId());
        assertEquals(TestLog.TRUST_DOMAIN, rotated.getTrustDomain());

        log.clock.advance(Duration.ofHours(1));
        TrustBundle after = log.issuer.trustBundle();
        assertEquals(3, after.sequence(), "dropping a key is a bundle change");
        assertEquals(List.of(newCa), after.x509Authorities());
        assertFalse(oldLeaf.getNotAfter().toInstant().isAfter(log.clock.instant()), "no old SVID outlives its CA in the bundle");
    }

    @Test
    void jwtRotationKeepsOldTokensVerifiableUntilTheyExpire() throws Exception {
        JwtSvid old = log.issuer.issueJwtSvid(AGENT, List.of("tool"), Duration.ofMinutes(30)).credential();
        log.issuer.rotateJwtKey();
        JwtSvid fresh = log.issuer.issueJwtSvid(AGENT, List.of("tool")).credential();
        assertNotEquals(old.keyId(), fresh.keyId());
        JwtSvidCheck during = new JwtSvidCheck(log.issuer.trustBundle(), TestLog.TRUST_DOMAIN, log.clock);
        assertEquals(AGENT, during.verify(old.token(), "tool"));
        assertEquals(AGENT, during.verify(fresh.token(), "tool"));

        log.clock.advance(Duration.ofHours(1));
        TrustBundle after = log.issuer.trustBundle();
        assertEquals(Set.of(fresh.keyId()), after.jwtAuthorities().keySet());
        assertThrows(VerificationException.class,
                () -> new JwtSvidCheck(after, TestLog.TRUST_DOMAIN, log.clock).verify(old.token(), "tool"));
    }

    @Test
    void aRotationTheLogRefusesLeavesTheOldKeyActive() throws Exception {
        String before = log.issuer.authorities().jwt().keyId();
        log.ledger.close();
        IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.rotateJwtKey());
        assertEquals(IssuanceException.Reason.NOT_LOGGED, e.reason());
        assertEquals(before, log.issuer.authorities().jwt().keyId());
        assertEquals(1, log.issuer.trustBundle().sequence());
    }
}
