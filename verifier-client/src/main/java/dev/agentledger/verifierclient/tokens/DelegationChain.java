package dev.agentledger.verifierclient.tokens;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.util.List;

/**
 * A verified delegation chain: the root delegation a user granted, then each sub-delegation that
 * narrowed it, in order. On the wire a chain is its delegation tokens (compact JWSs), root first,
 * joined by {@code ~}; this is the RFC 8693 {@code subject_token} of type {@link #TOKEN_TYPE}.
 *
 * @param hops the hops, root first; never empty
 */
public record DelegationChain(List<DelegationClaims> hops) {
    /** The RFC 8693 token type URI of a serialized chain. */
    public static final String TOKEN_TYPE = "urn:agentledger:params:oauth:token-type:delegation-chain";
    /** The most hops in a chain (the root delegation included). */
    public static final int MAX_HOPS = 8;
    /** The longest serialized chain, in characters. */
    public static final int MAX_LENGTH = MAX_HOPS * (CompactJws.MAX_TOKEN_LENGTH + 1);
    private static final String SEPARATOR = "~";

    /** Copies; requires at least one hop. */
    public DelegationChain {
        hops = List.copyOf(hops);
        if (hops.isEmpty()) {
            throw new IllegalArgumentException("a delegation chain has at least one hop");
        }
    }

    /** The last hop: the delegation the current delegate holds. */
    public DelegationClaims leaf() {
        return hops.get(hops.size() - 1);
    }

    /** The user the chain acts for. */
    public SpiffeId user() {
        return leaf().user();
    }

    /** The agent the chain lets act now: the leaf's delegate. */
    public SpiffeId delegate() {
        return leaf().delegate();
    }

    /** The delegation ids, root first. */
    public List<String> delegationIds() {
        return hops.stream().map(DelegationClaims::id).toList();
    }

    /** The serialized chain of {@code parent} (a serialized chain) extended by {@code token}. */
    public static String extend(String parent, String token) {
        if (token.contains(SEPARATOR) || token.isEmpty()) {
            throw new IllegalArgumentException("a delegation token is one compact JWS");
        }
        return parent + SEPARATOR + token;
    }

    /**
     * The tokens of a serialized chain, root first.
     *
     * @throws TokenException (OVERSIZE) if longer than {@link #MAX_LENGTH}, (DEPTH) if it has more
     *     than {@link #MAX_HOPS} tokens, (MALFORMED) if a token is empty
     */
    public static List<String> split(String chain) throws TokenException {
        if (chain == null || chain.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, "delegation chain is empty");
        }
        if (chain.length() > MAX_LENGTH) {
            throw new TokenException(Reason.OVERSIZE, "delegation chain has " + chain.length() + " characters, want at most " + MAX_LENGTH);
        }
        List<String> tokens = List.of(chain.split(SEPARATOR, -1));
        if (tokens.size() > MAX_HOPS) {
            throw new TokenException(Reason.DEPTH, "delegation chain has " + tokens.size() + " hops, want at most " + MAX_HOPS);
        }
        if (tokens.contains("")) {
            throw new TokenException(Reason.MALFORMED, "delegation chain has an empty token");
        }
        return tokens;
    }
}
