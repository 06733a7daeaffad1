package dev.agentledger.verifierclient.tokens;

import java.util.Set;

/**
 * The two token types the authority signs with its access-token key, told apart by the JWS
 * {@code typ} header (RFC 8725 section 3.11: explicit typing, so one can never pass for the other).
 */
public enum TokenType {
    /**
     * A delegation hop, {@code typ} {@code delegation+jwt} (the media type
     * {@code application/delegation+jwt}, shortened per RFC 7515 section 4.1.9).
     */
    DELEGATION("delegation+jwt", Set.of("delegation+jwt")),
    /** A capability token, {@code typ} {@code at+jwt} (RFC 9068 section 2.1; section 4 also admits {@code application/at+jwt}). */
    CAPABILITY("at+jwt", Set.of("at+jwt", "application/at+jwt"));

    private final String typ;
    private final Set<String> accepted;

    TokenType(String typ, Set<String> accepted) {
        this.typ = typ;
        this.accepted = accepted;
    }

    /** The {@code typ} header the authority writes. */
    public String typ() {
        return typ;
    }

    /** True if a verifier accepts {@code typ} for this type. */
    boolean accepts(String typ) {
        return accepted.contains(typ);
    }
}
