package dev.agentledger.verifierclient.tokens;

import static dev.agentledger.verifierclient.tokens.Minter.DB;
import static dev.agentledger.verifierclient.tokens.Minter.ISSUER;
import static dev.agentledger.verifierclient.tokens.Minter.NOW;
import static dev.agentledger.verifierclient.tokens.Minter.certificate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.InstantSource;

/**
 * Fuzzes the token verifiers tools and the issuer run on untrusted strings: delegation chains
 * ({@code ~}-joined ES256 JWTs, RFC 8693 {@code act}) and capability tokens (RFC 9068, RFC 8705
 * {@code cnf}). The only exception out is {@link TokenException}. A capability token that verifies
 * re-signs to a token that verifies to equal claims; a chain that verifies has as many hops as
 * {@link DelegationChain#split} finds.
 *
 * <p>Seeds, signed with {@link Minter#fixedKey()}: {@code TokenFuzzTestInputs/verifyTokens/}.
 */
class TokenFuzzTest {
    private final Minter minter = new Minter(Minter.fixedKey());
    private final TokenVerifier verifier = new TokenVerifier(minter.keys(), ISSUER, InstantSource.fixed(NOW));
    private final X509Certificate agentA = certificate("agent-a");

    @FuzzTest
    void verifyTokens(byte[] input) throws TokenException {
        String token = new String(input, StandardCharsets.UTF_8);
        try {
            DelegationChain chain = verifier.verifyDelegationChain(token);
            assertFalse(chain.hops().isEmpty());
            assertEquals(DelegationChain.split(token).size(), chain.hops().size());
        } catch (TokenException expected) {
            // any Reason: malformed, signature, type, issuer, window, scope ...
        }
        CapabilityClaims claims;
        try {
            claims = verifier.verifyCapability(token, DB, "db:read", DB, agentA);
        } catch (TokenException expected) {
            return;
        }
        String again = minter.sign(Minter.header("at+jwt"), claims.toClaims());
        assertEquals(claims, verifier.verifyCapability(again, DB, "db:read", DB, agentA));
    }
}
