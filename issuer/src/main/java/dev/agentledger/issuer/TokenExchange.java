package dev.agentledger.issuer;

import dev.agentledger.issuer.TokenExchangeException.Error;
import dev.agentledger.ledger.Appended;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.svid.JwtSvidVerifier;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenType;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The token exchange (RFC 8693) that turns a delegation chain into a capability token for one
 * action on one resource, transport-free: the HTTP or gRPC layer parses the form with
 * {@link TokenExchangeRequest#parse}, passes the client certificate its mutual TLS verified, and
 * sends {@link TokenExchangeResponse#json()} or {@link TokenExchangeException#json()} with their
 * status.
 *
 * <p>Steps, each refusing with the OAuth error named: the caller must present a client
 * certificate with one SPIFFE ID of this trust domain ({@code invalid_client}); an actor token, if
 * sent, must be a valid JWT-SVID for the authority's ID as audience ({@code invalid_request}) naming
 * the same agent ({@code unauthorized_client}); the subject token must verify as a delegation chain
 * ({@code invalid_request}) whose current delegate is the caller ({@code unauthorized_client}) and
 * whose last hop covers the action ({@code invalid_scope}) and resource ({@code invalid_target});
 * the {@link PolicyGate} must allow it ({@code access_denied}, {@code authorization_pending}). Then
 * the capability token is signed, bound to the caller's certificate, logged as
 * {@code CapabilityTokenIssued} (id and SHA-256 only) right after the gate's decision, in the same
 * log batch, and returned once both entries are durable and in a signed checkpoint
 * ({@code temporarily_unavailable} if the log fails).
 *
 * <p>A chain that verified is remembered until it expires ({@link VerifiedChains}): an agent
 * presents the same chain for each action, and its signature checks were the largest part of an
 * exchange. Everything about the request (the caller, scope, resource, policy) and the transport's
 * revocation check still run on every exchange.
 *
 * <p>Thread-safe.
 */
public final class TokenExchange {
    /** The default capability token lifetime. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** The GeneralName tag of a URI in {@link X509Certificate#getSubjectAlternativeNames()}. */
    private static final Integer URI_NAME = 6;

    private final Issuer issuer;
    private final PolicyGate gate;
    private final Duration ttl;
    private final VerifiedChains chains;
    private final AtomicReference<ParsedBundle> parsedBundle = new AtomicReference<>();

    /**
     * An exchange signing with {@code issuer}'s keys, deciding with {@code gate}, issuing tokens valid for {@code ttl}.
     *
     * @throws IllegalArgumentException if {@code ttl} is not in [1 s, {@link CapabilityClaims#MAX_LIFETIME}]
     */
    public TokenExchange(Issuer issuer, PolicyGate gate, Duration ttl) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.gate = Objects.requireNonNull(gate, "gate");
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(CapabilityClaims.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("capability token lifetime " + ttl + " is not in [PT1S, " + CapabilityClaims.MAX_LIFETIME + "]");
        }
        this.ttl = ttl;
        this.chains = new VerifiedChains(issuer::tokenVerifier, issuer.config().clock());
    }

    /** An exchange with the {@link #DEFAULT_TTL}. */
    public TokenExchange(Issuer issuer, PolicyGate gate) {
        this(issuer, gate, DEFAULT_TTL);
    }

    /**
     * Exchanges {@code request} for a capability token, as the class describes.
     *
     * @param clientCertificate the caller's certificate, already verified by mutual TLS against the
     *     trust bundle; empty if the caller presented none
     * @throws TokenExchangeException with the OAuth error of the failed step; nothing was issued
     */
    public TokenExchangeResponse exchange(TokenExchangeRequest request, Optional<X509Certificate> clientCertificate)
            throws TokenExchangeException {
        X509Certificate certificate = clientCertificate.orElseThrow(() -> new TokenExchangeException(Error.INVALID_CLIENT,
                "no client certificate: capability tokens are bound to the caller's certificate (RFC 8705), call over mutual TLS"));
        SpiffeId actor = spiffeId(certificate);
        if (request.actorToken().isPresent()) {
            requireActorToken(request.actorToken().get(), actor);
        }
        DelegationChain chain;
        try {
            chain = chains.verify(request.subjectToken());
        } catch (TokenException e) {
            throw TokenExchangeException.ofSubjectToken(e);
        }
        if (!chain.delegate().equals(actor)) {
            throw new TokenExchangeException(Error.UNAUTHORIZED_CLIENT, actor + " is not the delegate of this chain; " + chain.delegate() + " is");
        }
        try {
            chain.leaf().requireAllows(request.action(), request.resource());
        } catch (TokenException e) {
            throw TokenExchangeException.ofSubjectToken(e);
        }
        Instant now = Issuer.now(issuer.config());
        SigningKey key = issuer.authorities().accessToken();
        Instant expires;
        try {
            expires = Issuer.validUntil(key, now, ttl);
        } catch (IssuanceException e) {
            throw TokenExchangeException.of(e);
        }
        if (expires.isAfter(chain.leaf().expiresAt())) {
            expires = chain.leaf().expiresAt();
        }
        if (!expires.isAfter(now)) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "subject_token: the delegation expires at " + chain.leaf().expiresAt());
        }
        CapabilityClaims claims = new CapabilityClaims(issuer.config().authorityId().value(), actor, request.resource(), actor.value(),
                now, expires, issuer.newTokenId(), request.action(), request.resource(), chain.user(), chain.leaf().actors(),
                thumbprint(certificate), chain.delegationIds(), request.authorizationDetails());
        Signed signed = new Signed(key, claims, chain, now);
        PolicyGate.Decided decided;
        try {
            decided = gate.decide(actionRequest(request, chain, actor), signed);
        } catch (IssuanceException e) {
            throw TokenExchangeException.of(e);
        }
        if (decided.verdict().outcome() != Verdict.Outcome.ALLOW) {
            throw TokenExchangeException.ofVerdict(decided.verdict());
        }
        return new TokenExchangeResponse(LoggedCredential.of(new CapabilityToken(signed.token(), claims),
                decided.followed().orElseThrow()), now);
    }

    /**
     * The capability token of an allowed exchange: signed only once the gate allowed it, logged as
     * {@code CapabilityTokenIssued} (id and SHA-256, never the token) right after the decision.
     */
    private final class Signed implements PolicyGate.AfterAllow {
        private final SigningKey key;
        private final CapabilityClaims claims;
        private final DelegationChain chain;
        private final Instant now;
        private String token;

        Signed(SigningKey key, CapabilityClaims claims, DelegationChain chain, Instant now) {
            this.key = key;
            this.claims = claims;
            this.chain = chain;
            this.now = now;
        }

        @Override
        public LogEntry entry(Optional<String> approvalId) {
            token = AccessTokens.sign(key, TokenType.CAPABILITY, claims.toClaims());
            return Entries.capabilityTokenIssued(issuer.header(now), claims, Registrations.user(issuer.config(), chain.user()),
                    Digests.sha256(token.getBytes(StandardCharsets.US_ASCII)), key.keyId(), approvalId);
        }

        @Override
        public Appended log(LogEntry entry) throws IssuanceException {
            return issuer.append(entry);
        }

        /** The signed token; only after {@link #entry}. */
        String token() {
            return token;
        }
    }

    private static ActionRequest actionRequest(TokenExchangeRequest request, DelegationChain chain, SpiffeId actor) {
        Map<String, String> context = request.authorizationDetails()
                .map(d -> Map.of("authorization_details", d.json()))
                .orElse(Map.of());
        return new ActionRequest(actor, chain.leaf().actors(), Optional.of(chain.user()), chain.delegationIds(), request.action(),
                request.resource(), context, request.approvalId());
    }

    private void requireActorToken(String actorToken, SpiffeId actor) throws TokenExchangeException {
        IssuerConfig config = issuer.config();
        SpiffeId named;
        try {
            named = JwtSvidVerifier.verify(actorToken, config.authorityId().value(), actorBundle(), config.clock().instant()).spiffeId();
        } catch (VerificationException e) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "actor_token is not a valid JWT-SVID for "
                    + config.authorityId() + ": " + e.getMessage());
        }
        if (!named.equals(actor)) {
            throw new TokenExchangeException(Error.UNAUTHORIZED_CLIENT, "actor_token names " + named + " but the client certificate " + actor);
        }
    }

    /** The issuer's current trust bundle as a verifier reads it, parsed again only when the issuer's bundle changed. */
    private SpiffeBundle actorBundle() throws VerificationException {
        TrustBundle current = issuer.trustBundle();
        ParsedBundle known = parsedBundle.get();
        if (known != null && known.source() == current) {
            return known.bundle();
        }
        SpiffeBundle parsed = SpiffeBundle.parse(current.json(), issuer.config().trustDomain());
        parsedBundle.set(new ParsedBundle(current, parsed));
        return parsed;
    }

    /** A parsed bundle and the issuer's bundle it was parsed from (compared by identity: a changed bundle is a new object). */
    private record ParsedBundle(TrustBundle source, SpiffeBundle bundle) {}

    /** The one SPIFFE ID (URI SAN) of the caller's certificate, in this trust domain. */
    private SpiffeId spiffeId(X509Certificate certificate) throws TokenExchangeException {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new TokenExchangeException(Error.INVALID_CLIENT, "the client certificate's SANs do not parse");
        }
        List<String> uris = names == null ? List.of()
                : names.stream().filter(n -> URI_NAME.equals(n.get(0))).map(n -> (String) n.get(1)).toList();
        if (uris.size() != 1) {
            throw new TokenExchangeException(Error.INVALID_CLIENT, "the client certificate has " + uris.size() + " URI SANs, want one SPIFFE ID");
        }
        try {
            SpiffeId id = SpiffeId.parse(uris.get(0));
            if (!id.trustDomain().equals(issuer.trustDomain())) {
                throw new TokenExchangeException(Error.INVALID_CLIENT, "the client " + id + " is not in trust domain " + issuer.trustDomain());
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new TokenExchangeException(Error.INVALID_CLIENT, "the client certificate's URI SAN is not a SPIFFE ID: " + e.getMessage());
        }
    }

    private static String thumbprint(X509Certificate certificate) throws TokenExchangeException {
        try {
            return CapabilityClaims.certificateThumbprint(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new TokenExchangeException(Error.INVALID_CLIENT, "the client certificate does not encode");
        }
    }
}
