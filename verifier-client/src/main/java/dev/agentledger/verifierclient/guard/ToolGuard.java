package dev.agentledger.verifierclient.guard;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.verifierclient.guard.AccessDeniedException.Reason;
import dev.agentledger.verifierclient.replay.SingleUse;
import dev.agentledger.verifierclient.replay.ReplayException;
import dev.agentledger.verifierclient.revocation.CredentialIds;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationStatus;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.svid.X509SvidCache;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Everything a tool checks before it acts on a call, in this order, each refusal with its own
 * {@link Reason}:
 * <ol>
 * <li>the connection's client certificate is an X509-SVID of the trust domain (bundle);
 * <li>an {@code Authorization: Bearer} capability token, signed by the authority, unexpired, for
 *     this tool (audience) and exactly this action and resource;
 * <li>bound to the presented certificate ({@code cnf x5t#S256}), and its subject is the SVID's ID;
 * <li>nothing it rests on is revoked: the caller, every actor of its delegation chain, every
 *     delegation, the token, the SVID's serial, the acting user; a stale feed refuses (fail closed);
 * <li>its issuance is proven to be in the log ({@link LogProof}), when required;
 * <li>it was not used before: it is spent durably ({@link SingleUse}: a local journal, or the
 *     authority for replicated tools) before the call is let through, so a replay, also after a
 *     crash, is refused.
 * </ol>
 *
 * <p>Thread-safe.
 */
public final class ToolGuard {
    /** How many verified client certificate chains are remembered (see {@link X509SvidCache}). */
    private static final int SVIDS_HELD = 4096;

    private final String audience;
    private final Supplier<SpiffeBundle> bundle;
    private final TokenVerifier tokens;
    private final RevocationCache revocations;
    private final SingleUse consumed;
    private final Optional<LogProof> logProof;
    private final InstantSource clock;
    private final X509SvidCache svids = new X509SvidCache(SVIDS_HELD);

    /**
     * A guard for the tool named {@code audience} (the {@code aud} its tokens carry).
     *
     * @param bundle the current trust bundle (refreshed by the caller)
     * @param logProof when present, every token must come with a proof that it is logged
     */
    public ToolGuard(String audience, Supplier<SpiffeBundle> bundle, TokenVerifier tokens, RevocationCache revocations,
            SingleUse consumed, Optional<LogProof> logProof, InstantSource clock) {
        this.audience = Objects.requireNonNull(audience, "audience");
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.consumed = Objects.requireNonNull(consumed, "consumed");
        this.logProof = Objects.requireNonNull(logProof, "logProof");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The tool this guard protects (its tokens' audience). */
    public String audience() {
        return audience;
    }

    /**
     * Admits one call to take {@code action} on {@code resource}, or refuses it.
     *
     * @param peerChain the client certificate chain the TLS layer verified (leaf first), empty if none
     * @param authorization the {@code Authorization} header value, if sent
     * @param proof the {@value LogProof#HEADER} header value, if sent
     * @throws AccessDeniedException naming the check that failed
     */
    public Admission admit(List<X509Certificate> peerChain, Optional<String> authorization, Optional<String> proof,
            String action, String resource) throws AccessDeniedException {
        return admit(peerChain, authorization, proof, action, resource, false, consumed);
    }

    /**
     * Admits one call as {@link #admit(List, Optional, Optional, String, String)} does, spending the
     * token with {@code spend} instead of the guard's own single-use record: for a caller that
     * makes the spend durable together with its own record of the call. {@code spend} must keep
     * the guarantee of {@link SingleUse}: return only once the token is durably spent. With
     * {@code approvalRequired}, the token's proven issuance entry must cite a human approval
     * ({@code approval_id}), checked before the token is spent.
     *
     * @throws AccessDeniedException naming the check that failed ({@link Reason#NEEDS_APPROVAL}
     *     when an approval is required and none is cited, or the guard checks no log proofs)
     */
    public Admission admit(List<X509Certificate> peerChain, Optional<String> authorization, Optional<String> proof,
            String action, String resource, boolean approvalRequired, SingleUse spend) throws AccessDeniedException {
        if (peerChain.isEmpty()) {
            throw new AccessDeniedException(Reason.NO_CLIENT_CERTIFICATE, "connect with mutual TLS and an X509-SVID");
        }
        VerifiedX509Svid caller;
        try {
            caller = svids.verify(peerChain, bundle.get(), clock.instant());
        } catch (VerificationException e) {
            throw new AccessDeniedException(Reason.INVALID_SVID, e.getMessage(), e);
        }
        String token = bearer(authorization);
        CapabilityClaims claims = capability(token, action, resource, caller);
        requireNotRevoked(caller, claims);
        OptionalLong index = OptionalLong.empty();
        if (logProof.isPresent()) {
            if (proof.isEmpty()) {
                throw new AccessDeniedException(Reason.NOT_LOGGED, "send the token's log proof in the " + LogProof.HEADER + " header");
            }
            LogProof.Proven proven;
            try {
                proven = logProof.get().verify(proof.get(), token, claims.id());
            } catch (VerificationException e) {
                throw new AccessDeniedException(Reason.NOT_LOGGED, e.getMessage(), e);
            }
            index = OptionalLong.of(proven.index());
            if (approvalRequired && proven.approvalId().isEmpty()) {
                throw new AccessDeniedException(Reason.NEEDS_APPROVAL, "this action needs a human approval and the token's issuance"
                        + " (log entry " + proven.index() + ") cites none: request the token again and have it approved");
            }
        } else if (approvalRequired) {
            throw new AccessDeniedException(Reason.NEEDS_APPROVAL, "this action needs a human approval, which only the token's"
                    + " log proof can show, and this guard checks no log proofs");
        }
        try {
            spend.spend(token, claims.id(), claims.expiresAt().plus(TokenVerifier.CLOCK_SKEW));
        } catch (ReplayException e) {
            throw new AccessDeniedException(Reason.REPLAYED, e.getMessage(), e);
        } catch (IOException e) {
            throw new AccessDeniedException(Reason.UNAVAILABLE, "cannot record the token as used: " + e.getMessage(), e);
        }
        return new Admission(caller, claims, index);
    }

    private static String bearer(Optional<String> authorization) throws AccessDeniedException {
        String value = authorization.orElse("").strip();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AccessDeniedException(Reason.NO_TOKEN, "send a capability token as 'Authorization: Bearer <token>'");
        }
        return value.substring(7).strip();
    }

    private CapabilityClaims capability(String token, String action, String resource, VerifiedX509Svid caller)
            throws AccessDeniedException {
        CapabilityClaims claims;
        try {
            claims = tokens.verifyCapability(token, audience, action, resource, caller.certificate());
        } catch (TokenException e) {
            throw new AccessDeniedException(switch (e.reason()) {
                case ACTION, RESOURCE -> Reason.INSUFFICIENT_SCOPE;
                case CONFIRMATION -> Reason.WRONG_HOLDER;
                default -> Reason.INVALID_TOKEN;
            }, e.getMessage(), e);
        }
        if (!claims.subject().equals(caller.spiffeId())) {
            throw new AccessDeniedException(Reason.WRONG_HOLDER, "the token is for " + claims.subject()
                    + ", the connection is " + caller.spiffeId());
        }
        return claims;
    }

    private void requireNotRevoked(VerifiedX509Svid caller, CapabilityClaims claims) throws AccessDeniedException {
        // Built in one step (each set copied once), not through the copy-on-add with... methods.
        Set<String> spiffeIds = new HashSet<>();
        spiffeIds.add(caller.spiffeId().value());
        for (var actor : claims.actors()) {
            spiffeIds.add(actor.value());
        }
        CredentialIds ids = new CredentialIds(spiffeIds, Set.of(caller.certificate().getSerialNumber().toString(16)),
                Set.of(claims.id()), new HashSet<>(claims.delegationIds()), Set.of(),
                Set.of(CredentialIds.user("spiffe://" + claims.actingUser().trustDomain(), claims.actingUser().value())));
        RevocationStatus status = revocations.check(ids);
        switch (status) {
            case RevocationStatus.NotRevoked ok -> { }
            case RevocationStatus.Revoked revoked -> throw new AccessDeniedException(Reason.REVOKED,
                    revoked.id() + " was revoked (" + revoked.reason() + ", revocation " + revoked.sequence() + ")");
            case RevocationStatus.Stale stale -> throw new AccessDeniedException(Reason.UNAVAILABLE,
                    "revocation status unknown, refusing: " + stale.reason());
        }
    }
}
