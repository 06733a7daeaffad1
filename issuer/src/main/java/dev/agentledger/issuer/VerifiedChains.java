package dev.agentledger.issuer;

import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The delegation chains that verified, by the SHA-256 of their serialized form, each kept until
 * its earliest hop expires: presenting the same chain again skips its signature checks and
 * parsing. A chain that fails is never kept.
 *
 * <p>Security guarantees: a remembered chain is returned only for exactly the same characters
 * (SHA-256) and only before it expires by the issuer's clock (without the verifier's skew, so
 * never later than a fresh verification would accept it). The keys that signed it stay published
 * at least that long (a rotation keeps a retired key until every token it signed has expired).
 * Holds at most {@link #MAX_CHAINS} (or the capacity given); when full, the expired ones go first, then all.
 *
 * <p>Thread-safe.
 */
final class VerifiedChains {
    /** The most chains remembered. */
    static final int MAX_CHAINS = 10_000;

    private record Verified(DelegationChain chain, Instant until) {}

    private final Supplier<TokenVerifier> verifier;
    private final InstantSource clock;
    private final int capacity;
    private final Map<ByteBuffer, Verified> verified = new ConcurrentHashMap<>();

    /** Chains checked by {@code verifier} (asked for on each miss: the keys may have rotated), expiring by {@code clock}. */
    VerifiedChains(Supplier<TokenVerifier> verifier, InstantSource clock) {
        this(verifier, clock, MAX_CHAINS);
    }

    /** As {@link #VerifiedChains(Supplier, InstantSource)}, holding at most {@code capacity} chains. */
    VerifiedChains(Supplier<TokenVerifier> verifier, InstantSource clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not positive");
        }
        this.verifier = verifier;
        this.clock = clock;
        this.capacity = capacity;
    }

    /**
     * The verified chain {@code serialized}, remembered or verified now.
     *
     * @throws TokenException as {@link TokenVerifier#verifyDelegationChain}, for a chain not remembered
     */
    DelegationChain verify(String serialized) throws TokenException {
        if (serialized == null || serialized.length() > DelegationChain.MAX_LENGTH) {
            return verifier.get().verifyDelegationChain(serialized); // refuses it, with the verifier's reason
        }
        ByteBuffer key = ByteBuffer.wrap(Digests.sha256(serialized.getBytes(StandardCharsets.UTF_8)));
        Instant now = clock.instant();
        Verified known = verified.get(key);
        if (known != null && now.isBefore(known.until())) {
            return known.chain();
        }
        DelegationChain chain = verifier.get().verifyDelegationChain(serialized);
        Instant until = chain.hops().stream().map(DelegationClaims::expiresAt).min(Instant::compareTo).orElseThrow();
        if (verified.size() >= capacity) {
            verified.values().removeIf(v -> !now.isBefore(v.until()));
            if (verified.size() >= capacity) {
                verified.clear();
            }
        }
        verified.put(key, new Verified(chain, until));
        return chain;
    }

    /** How many chains are remembered (expired ones included until they are swept). */
    int size() {
        return verified.size();
    }
}
