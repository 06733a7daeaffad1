package dev.agentledger.verifierclient.svid;

import static dev.agentledger.verifierclient.svid.TestAuthority.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.VerificationException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache answers as the verifier does: within the chain's validity and for the same bundle only. */
class X509SvidCacheTest {
    private static final String ID = "spiffe://agents.example/agent/research/1";

    @Test
    void aVerifiedChainIsAcceptedAgainOnlyWhileValidAndForTheSameBundle() throws Exception {
        TestAuthority authority = new TestAuthority("agents.example");
        SpiffeBundle bundle = authority.bundle();
        X509Certificate svid = authority.svid(ID);
        X509SvidCache cache = new X509SvidCache(2);
        VerifiedX509Svid first = cache.verify(List.of(svid), bundle, NOW);
        assertEquals(X509SvidVerifier.verify(List.of(svid), bundle, NOW), first);
        assertSame(first, cache.verify(List.of(svid), bundle, NOW.plusSeconds(1800)));
        // svid() is valid from NOW - 60 s to NOW + 3600 s: outside, the cached chain is refused as the verifier refuses it.
        assertThrows(VerificationException.class, () -> cache.verify(List.of(svid), bundle, NOW.plusSeconds(3601)));
        assertThrows(VerificationException.class, () -> cache.verify(List.of(svid), bundle, NOW.minusSeconds(61)));
        SpiffeBundle another = new TestAuthority("agents.example").bundle();
        assertThrows(VerificationException.class, () -> cache.verify(List.of(svid), another, NOW));
        assertSame(first, cache.verify(List.of(svid), bundle, NOW));
    }

    @Test
    void aRefusedChainIsRefusedEveryTimeAndAnEvictedOneVerifiesAgain() throws Exception {
        TestAuthority authority = new TestAuthority("agents.example");
        SpiffeBundle bundle = authority.bundle();
        X509SvidCache cache = new X509SvidCache(1);
        X509Certificate foreign = new TestAuthority("agents.example").svid(ID);
        for (int i = 0; i < 3; i++) {
            assertThrows(VerificationException.class, () -> cache.verify(List.of(foreign), bundle, NOW));
        }
        X509Certificate a = authority.svid(ID);
        X509Certificate b = authority.svid(ID);
        VerifiedX509Svid first = cache.verify(List.of(a), bundle, NOW);
        cache.verify(List.of(b), bundle, NOW);
        VerifiedX509Svid again = cache.verify(List.of(a), bundle, NOW);
        assertEquals(first, again);
        assertThrows(VerificationException.class, () -> cache.verify(List.of(), bundle, NOW));
        assertThrows(IllegalArgumentException.class, () -> new X509SvidCache(0));
    }
}
