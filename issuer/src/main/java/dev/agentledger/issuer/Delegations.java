package dev.agentledger.issuer;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Grants delegations: a user lets an agent act for them (a root delegation), and an agent holding
 * a delegation passes a narrower one to another agent (a sub-delegation). Each hop is a delegation
 * token ({@link DelegationClaims}, signed with the access-token key) logged as a
 * {@code DelegationGranted} entry by id and SHA-256, and the delegate receives the whole chain,
 * which verifies offline ({@link dev.agentledger.verifierclient.tokens.TokenVerifier}).
 *
 * <p>Security guarantees: a sub-delegation is granted only to the current delegate of a chain
 * that verifies now, and only within its last hop (the same
 * {@link DelegationClaims#requireWithin} every verifier runs): scope, resources, time and depth
 * can only narrow. Nothing is returned before its entry is durable and in a signed checkpoint.
 * Callers must be authenticated by the transport: the {@code user} and {@code caller} arguments
 * are the identities it proved.
 *
 * <p>Thread-safe.
 */
public final class Delegations {
    private final Issuer issuer;

    /** Delegations signed and logged by {@code issuer}. */
    public Delegations(Issuer issuer) {
        this.issuer = issuer;
    }

    /**
     * Grants a root delegation from {@code user} to {@code request.delegate()}, logs it and returns
     * it (a chain of one hop) with its proof.
     *
     * @param user the authenticated user, {@code spiffe://<td>/user/<name>} of this trust domain
     * @throws IllegalArgumentException if {@code user} is not a user of this trust domain
     * @throws IssuanceException ({@code INVALID_DELEGATION}) for a bad delegate, pattern, depth,
     *     ({@code INVALID_TTL}) for a lifetime not in (0, 24 h], ({@code AUTHORITY_EXPIRED},
     *     {@code NOT_LOGGED}) if it could not be signed or logged
     */
    public LoggedCredential<Delegation> grant(SpiffeId user, DelegationRequest request) throws IssuanceException {
        IssuerConfig config = issuer.config();
        if (!user.trustDomain().equals(config.trustDomain()) || !user.path().startsWith("/user/")) {
            throw new IllegalArgumentException(user + " is not a user of trust domain " + config.trustDomain());
        }
        Instant now = Issuer.now(config);
        DelegationClaims claims = claims(request, List.of(), user, Optional.empty(), now);
        return sign(claims, Optional.empty(), Optional.empty());
    }

    /**
     * Grants a sub-delegation: {@code caller}, the current delegate of {@code chain}, passes a
     * narrower delegation to {@code request.delegate()}; logs it and returns the extended chain.
     *
     * @param caller the authenticated agent
     * @param chain the serialized chain the caller holds
     * @throws IssuanceException ({@code INVALID_SUBJECT_TOKEN}) if the chain does not verify,
     *     ({@code NOT_PERMITTED}) if the caller is not its current delegate,
     *     ({@code WIDENING_REFUSED}) if the request is not within the chain's last hop,
     *     ({@code INVALID_DELEGATION}, {@code INVALID_TTL}) for a malformed request,
     *     ({@code AUTHORITY_EXPIRED}, {@code NOT_LOGGED}) if it could not be signed or logged
     */
    public LoggedCredential<Delegation> subDelegate(SpiffeId caller, String chain, DelegationRequest request) throws IssuanceException {
        DelegationChain verified;
        try {
            verified = issuer.tokenVerifier().verifyDelegationChain(chain);
        } catch (TokenException e) {
            throw new IssuanceException(Reason.INVALID_SUBJECT_TOKEN, "the delegation chain does not verify: " + e.getMessage(), e);
        }
        DelegationClaims parent = verified.leaf();
        if (!parent.delegate().equals(caller)) {
            throw new IssuanceException(Reason.NOT_PERMITTED, caller + " does not hold this delegation; " + parent.delegate() + " does");
        }
        Instant now = Issuer.now(issuer.config());
        DelegationClaims claims = claims(request, parent.actors(), parent.user(), Optional.of(parent.id()), now);
        try {
            claims.requireWithin(parent);
        } catch (TokenException e) {
            Reason reason = e.reason() == TokenException.Reason.CHAIN ? Reason.INVALID_DELEGATION : Reason.WIDENING_REFUSED;
            throw new IssuanceException(reason, "sub-delegation refused: " + e.getMessage(), e);
        }
        return sign(claims, Optional.of(caller), Optional.of(chain));
    }

    /** The claims of a new hop after {@code earlierActors}, checked for form (not yet against a parent). */
    private DelegationClaims claims(DelegationRequest request, List<SpiffeId> earlierActors, SpiffeId user, Optional<String> parentId,
            Instant now) throws IssuanceException {
        IssuerConfig config = issuer.config();
        SpiffeId delegate = request.delegate();
        if (!delegate.trustDomain().equals(config.trustDomain()) || delegate.path().isEmpty() || delegate.path().startsWith("/user/")
                || delegate.equals(config.authorityId())) {
            throw new IssuanceException(Reason.INVALID_DELEGATION, "delegate " + delegate + " is not an agent of trust domain " + config.trustDomain());
        }
        Duration lifetime = request.lifetime();
        if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(DelegationClaims.MAX_LIFETIME) > 0) {
            throw new IssuanceException(Reason.INVALID_TTL, "lifetime " + lifetime + " is not in [PT1S, " + DelegationClaims.MAX_LIFETIME + "]");
        }
        if (request.maxDepth() < 0 || earlierActors.size() + 1 + request.maxDepth() > DelegationChain.MAX_HOPS) {
            throw new IssuanceException(Reason.INVALID_DELEGATION, "max depth " + request.maxDepth() + " at hop " + (earlierActors.size() + 1)
                    + " would allow more than " + DelegationChain.MAX_HOPS + " hops");
        }
        List<SpiffeId> actors = new ArrayList<>(earlierActors);
        actors.add(delegate);
        Instant expires = Issuer.validUntil(issuer.authorities().accessToken(), now, lifetime);
        try {
            return new DelegationClaims(config.authorityId().value(), config.authorityId().value(), user, actors, request.scopes(),
                    request.resources(), request.maxDepth(), issuer.newTokenId(), parentId, now, now, expires);
        } catch (IllegalArgumentException e) {
            throw new IssuanceException(Reason.INVALID_DELEGATION, e.getMessage(), e);
        }
    }

    private LoggedCredential<Delegation> sign(DelegationClaims claims, Optional<SpiffeId> delegator, Optional<String> parentChain)
            throws IssuanceException {
        SigningKey key = issuer.authorities().accessToken();
        String token = AccessTokens.sign(key, TokenType.DELEGATION, claims.toClaims());
        Appended appended = issuer.append(Entries.delegationGranted(issuer.header(claims.issuedAt()), claims,
                Registrations.user(issuer.config(), claims.user()), delegator,
                Digests.sha256(token.getBytes(StandardCharsets.US_ASCII)), key.keyId()));
        String chain = parentChain.map(p -> DelegationChain.extend(p, token)).orElse(token);
        return LoggedCredential.of(new Delegation(chain, claims), appended);
    }
}
