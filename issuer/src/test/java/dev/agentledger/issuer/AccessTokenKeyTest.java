package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.KeyPublished;
import dev.agentledger.proto.v1.KeyUse;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessTokenKeyTest extends IssuerOnLogTest {
    static final SpiffeId ALICE = SpiffeId.of(TestLog.TRUST_DOMAIN, "user/alice");
    static final SpiffeId AGENT = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/planner/1");

    static DelegationRequest request() {
        return new DelegationRequest(AGENT, List.of("db:*"), List.of("spiffe://agents.example/tool/*"), Duration.ofHours(1), 2);
    }

    @Test
    void publishedAsAJwkSetAndLoggedButNotInTheSpiffeBundle() throws Exception {
        String kid = log.issuer.authorities().accessToken().keyId();
        Map<String, Object> jwks = JSONObjectUtils.parse(log.issuer.accessTokenKeys().json());
        Map<?, ?> key = (Map<?, ?>) ((List<?>) jwks.get("keys")).get(0);
        assertEquals(Map.of("kty", "EC", "crv", "P-256", "use", "sig", "alg", "ES256", "kid", kid),
                Map.of("kty", key.get("kty"), "crv", key.get("crv"), "use", key.get("use"), "alg", key.get("alg"), "kid", key.get("kid")));
        assertEquals(log.issuer.authorities().accessToken().publicKey(), TokenKeys.parse(log.issuer.accessTokenKeys().json()).key(kid).orElseThrow());
        assertFalse(log.issuer.trustBundle().json().contains(kid), "the SPIFFE bundle holds SVID keys only");
        assertEquals(2, ((List<?>) JSONObjectUtils.parse(log.issuer.trustBundle().json()).get("keys")).size());

        KeyPublished published = log.entries().stream().filter(LogEntry::hasKeyPublished).map(LogEntry::getKeyPublished)
                .filter(k -> k.getUse() == KeyUse.KEY_USE_ACCESS_TOKEN).findFirst().orElseThrow();
        assertEquals(kid, published.getKeyId());
        assertEquals(TestLog.TRUST_DOMAIN, published.getTrustDomain());
    }

    @Test
    void loggedBeforeItSignsAndRotatedWithOverlap() throws Exception {
        Delegations delegations = new Delegations(log.issuer);
        Delegation old = delegations.grant(ALICE, request()).credential();
        long sequence = log.issuer.trustBundle().sequence();
        log.issuer.rotateAccessTokenKey();
        Delegation fresh = delegations.grant(ALICE, request()).credential();
        assertEquals(sequence, log.issuer.trustBundle().sequence(), "the SPIFFE bundle did not change");

        Set<String> published = new java.util.HashSet<>();
        for (LogEntry entry : log.entries()) {
            if (entry.hasKeyPublished()) {
                published.add(entry.getKeyPublished().getKeyId());
            } else if (entry.hasDelegationGranted()) {
                assertTrue(published.contains(entry.getDelegationGranted().getIssuerKeyId()), "signed by a key not yet logged");
            }
        }
        String oldKid = log.issuer.accessTokenKeys().keyIds().stream().skip(1).findFirst().orElseThrow();
        assertNotEquals(oldKid, log.issuer.authorities().accessToken().keyId());
        log.issuer.tokenVerifier().verifyDelegationChain(old.chain());
        log.issuer.tokenVerifier().verifyDelegationChain(fresh.chain());

        log.clock.advance(Duration.ofHours(24));
        assertEquals(Set.of(log.issuer.authorities().accessToken().keyId()), log.issuer.accessTokenKeys().keyIds(),
                "the old key is dropped once no delegation it signed can be valid");
    }

    @Test
    void theVerifierServesUntilTheKeysChangeAndStillReadsTheClock() throws Exception {
        Delegations delegations = new Delegations(log.issuer);
        Delegation old = delegations.grant(ALICE, request()).credential();
        TokenVerifier before = log.issuer.tokenVerifier();
        assertSame(before, log.issuer.tokenVerifier(), "the same keys, the same verifier");
        before.verifyDelegationChain(old.chain());

        log.issuer.rotateAccessTokenKey();
        Delegation fresh = delegations.grant(ALICE, request()).credential();
        TokenException unknown = assertThrows(TokenException.class, () -> before.verifyDelegationChain(fresh.chain()));
        assertEquals(TokenException.Reason.UNKNOWN_KEY, unknown.reason());
        TokenVerifier after = log.issuer.tokenVerifier();
        assertNotSame(before, after, "a rotation builds a verifier with the new key");
        after.verifyDelegationChain(fresh.chain());
        after.verifyDelegationChain(old.chain());

        log.clock.advance(Duration.ofHours(2));
        TokenException expired = assertThrows(TokenException.class, () -> after.verifyDelegationChain(fresh.chain()));
        assertEquals(TokenException.Reason.EXPIRED, expired.reason(), "a kept verifier reads the clock at each check");
    }

    @Test
    void storedReloadedAndAddedToOlderKeyDirectories() throws Exception {
        Path keys = directory.resolve("keys");
        char[] passphrase = "correct horse battery staple".toCharArray();
        SignerKey signer = SignerKey.fromSeed(TestLog.ORIGIN, SignatureType.ED25519, new byte[32]);
        try (Ledger ledger = Ledger.open(LedgerConfig.of(directory.resolve("log2"), TestLog.ORIGIN, Ed25519NoteSigner.create(signer),
                Ed25519NoteVerifier.create(signer.verifierKey())).withIndexer(LogEntryIndexer.INSTANCE))) {
            IssuerConfig config = IssuerConfig.of(TestLog.TRUST_DOMAIN);
            Issuer first = Issuer.open(ledger, config, keys, passphrase);
            Issuer second = Issuer.open(ledger, config, keys, passphrase);
            assertEquals(first.authorities().accessToken().keyId(), second.authorities().accessToken().keyId());
            assertEquals(3, ledger.checkpoint().size());

            for (String name : List.of("access-token-key.pem", "access-token-pub.pem", "access-token-validity.txt")) {
                Files.delete(keys.resolve(name));
            }
            Issuer upgraded = Issuer.open(ledger, config, keys, passphrase);
            assertEquals(4, ledger.checkpoint().size(), "a new access-token key is logged");
            assertEquals(first.caCertificate(), upgraded.caCertificate());
            assertNotEquals(first.authorities().accessToken().keyId(), upgraded.authorities().accessToken().keyId());
            assertTrue(Files.exists(keys.resolve("access-token-key.pem")));
            assertEquals(upgraded.authorities().accessToken().keyId(),
                    Issuer.open(ledger, config, keys, passphrase).authorities().accessToken().keyId());
        }
    }
}
