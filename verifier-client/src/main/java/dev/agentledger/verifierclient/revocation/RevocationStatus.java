package dev.agentledger.verifierclient.revocation;

import java.time.Instant;

/**
 * What {@link RevocationCache#check} says about a credential: not revoked as of a fresh feed,
 * revoked (by which revocation), or unknown because the feed is stale, which a verifier must treat
 * as a refusal (fail closed).
 */
public sealed interface RevocationStatus {
    /**
     * None of the ids is revoked, and the feed was heard from within the freshness bound.
     *
     * @param sequence the last revocation sequence applied
     * @param heardAt when the last heartbeat arrived
     */
    record NotRevoked(long sequence, Instant heardAt) implements RevocationStatus {}

    /**
     * One of the ids is revoked.
     *
     * @param id the revoked id (kind and value, e.g. {@code delegation_id d-1})
     * @param sequence the revocation's sequence
     * @param reason the logged reason (a {@code RevocationReason} name)
     * @param detail the logged free-text detail
     * @param effective from when the revocation applies
     */
    record Revoked(String id, long sequence, String reason, String detail, Instant effective) implements RevocationStatus {}

    /**
     * The feed has not been heard from within the freshness bound: refuse, and say why.
     *
     * @param reason what went wrong (how long since the last heartbeat, the last error)
     */
    record Stale(String reason) implements RevocationStatus {}
}
