package dev.agentledger.server.issuance;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.JwtSvid;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.grpc.UnauthenticatedException;
import dev.agentledger.verifierclient.svid.JwtSvidVerifier;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;

/**
 * The web console's sign-in for approvers: a JWT-SVID (SPIFFE JWT-SVID standard) for the
 * approver's own SPIFFE ID and the audience {@value #AUDIENCE}, issued and logged by the issuer
 * ({@link #issue}, on the private listener, to a caller authenticated by mTLS), then presented to
 * the public listener as {@code Authorization: Bearer <token>} (RFC 6750 section 2.1) and
 * verified against the issuer's own trust bundle ({@link #caller}).
 *
 * <p>Security guarantees: a token is accepted only with a valid ES256 signature by a current
 * JWT-SVID key of this issuer, {@code aud} containing {@value #AUDIENCE} and {@code exp} in the
 * future; what the ID may do is decided afterwards by its roles, as for a client certificate. The
 * bearer header (never a cookie) keeps the routes CSRF-safe. Tokens are never logged.
 */
public final class ConsoleSvids {
    /** The audience of console tokens: no other service should accept them, nor this one others. */
    public static final String AUDIENCE = "agentledger-console";
    /** How long a console token is valid: one working session, far below the issuer's maximum. */
    public static final Duration TTL = Duration.ofMinutes(15);
    private static final String BEARER = "bearer ";

    private final Issuer issuer;
    private final InstantSource clock;

    /** Console tokens of {@code issuer}, checked for expiry by {@code clock}. */
    public ConsoleSvids(Issuer issuer, InstantSource clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    /**
     * Issues (and logs, by token id and hash) a console token for {@code caller} itself.
     *
     * @throws IssuanceException if the issuer cannot sign or log it
     */
    LoggedCredential<JwtSvid> issue(SpiffeId caller) throws IssuanceException {
        return issuer.issueJwtSvid(caller, List.of(AUDIENCE), TTL);
    }

    /**
     * The SPIFFE ID of the request's bearer console token.
     *
     * @throws UnauthenticatedException if there is no {@code Authorization: Bearer} header or the
     *     token fails verification (the rule it breaks is named; the token is not)
     */
    public SpiffeId caller(ServerRequest req) throws UnauthenticatedException {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw new UnauthenticatedException("no Authorization: Bearer header with a JWT-SVID for audience " + AUDIENCE
                    + " (get one with 'agentledger approvals login')");
        }
        String token = header.substring(BEARER.length()).strip();
        try {
            return JwtSvidVerifier.verify(token, AUDIENCE, bundle(), clock.instant()).spiffeId();
        } catch (VerificationException e) {
            throw new UnauthenticatedException("the bearer JWT-SVID is refused: " + e.getMessage());
        }
    }

    /** The issuer's current bundle, read as any verifier reads it. */
    private SpiffeBundle bundle() {
        try {
            return SpiffeBundle.parse(issuer.trustBundle().json(), issuer.trustDomain());
        } catch (VerificationException e) {
            throw new IllegalStateException("the issuer's own trust bundle does not parse", e);
        }
    }
}
