package dev.agentledger.issuer;

import static dev.agentledger.issuer.DelegationsTest.ALICE;
import static dev.agentledger.issuer.DelegationsTest.PLANNER;
import static dev.agentledger.issuer.DelegationsTest.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifiedChainsTest extends IssuerOnLogTest {
    private final AtomicInteger verifications = new AtomicInteger();
    private VerifiedChains chains;
    private String chain;

    @BeforeEach
    void delegate() throws Exception {
        chains = new VerifiedChains(() -> {
            verifications.incrementAndGet();
            return log.issuer.tokenVerifier();
        }, log.clock);
        Delegations delegations = new Delegations(log.issuer);
        Delegation root = delegations.grant(ALICE, DelegationsTest.rootRequest()).credential();
        // The sub-delegation (30 min) expires before the root: the chain is remembered until then.
        chain = delegations.subDelegate(PLANNER, root.chain(), new DelegationRequest(READER, List.of("db:read"),
                List.of(DelegationsTest.DB), Duration.ofMinutes(30), 0)).credential().chain();
    }

    @Test
    void aChainThatVerifiedIsRememberedUntilItsFirstHopExpires() throws Exception {
        DelegationChain first = chains.verify(chain);
        assertSame(first, chains.verify(chain), "the second presentation is the remembered chain");
        assertEquals(1, verifications.get());
        assertEquals(first, log.issuer.tokenVerifier().verifyDelegationChain(chain), "what a fresh verification finds");

        log.clock.advance(Duration.ofMinutes(30).minusSeconds(1));
        assertSame(first, chains.verify(chain));
        log.clock.advance(Duration.ofSeconds(1));
        // At its expiry the chain is verified again; within the verifier's clock skew it still passes.
        chains.verify(chain);
        assertEquals(2, verifications.get());
        log.clock.advance(TokenVerifier.CLOCK_SKEW);
        TokenException expired = assertThrows(TokenException.class, () -> chains.verify(chain));
        assertEquals(TokenException.Reason.EXPIRED, expired.reason());
    }

    @Test
    void aChainThatFailsIsNeverRemembered() throws Exception {
        chains.verify(chain);
        String tampered = chain.substring(0, chain.length() - 2) + (chain.endsWith("A") ? "BA" : "AA");
        for (int i = 1; i <= 2; i++) {
            assertThrows(TokenException.class, () -> chains.verify(tampered));
            assertEquals(1 + i, verifications.get(), "each presentation of a bad chain is verified");
        }
        assertThrows(TokenException.class, () -> chains.verify(""));
        assertEquals(1, chains.size());
    }

    @Test
    void whenFullTheExpiredGoFirstThenAll() throws Exception {
        VerifiedChains two = new VerifiedChains(() -> {
            verifications.incrementAndGet();
            return log.issuer.tokenVerifier();
        }, log.clock, 2);
        Delegations delegations = new Delegations(log.issuer);
        String root = delegations.grant(ALICE, DelegationsTest.rootRequest()).credential().chain(); // 1 hour
        two.verify(chain); // 30 minutes
        two.verify(root);
        log.clock.advance(Duration.ofMinutes(31));
        String laterRoot = delegations.grant(ALICE, DelegationsTest.rootRequest()).credential().chain();
        two.verify(laterRoot);
        assertEquals(2, two.size(), "the expired chain made room");
        int before = verifications.get();
        two.verify(root);
        assertEquals(before, verifications.get(), "the unexpired chain stayed");

        two.verify(delegations.grant(ALICE, DelegationsTest.rootRequest()).credential().chain());
        assertEquals(1, two.size(), "none expired: all went, the new one stays");
    }
}
