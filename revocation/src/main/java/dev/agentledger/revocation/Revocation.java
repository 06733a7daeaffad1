package dev.agentledger.revocation;

import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Revoked;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to revoke: what, why, from when, whether everything derived from the target goes too,
 * and who asked (the caller's authenticated SPIFFE ID, or a user as {@code issuer#subject}).
 *
 * @param target what is revoked
 * @param reason why; never {@code REVOCATION_REASON_UNSPECIFIED}
 * @param detail free text for humans, at most {@link #MAX_DETAIL} characters, never a secret
 * @param effective from when verifiers must refuse; empty means the time the entry is logged
 * @param cascade whether everything derived from the target is revoked too
 * @param requestedBy who asked, non-empty
 */
public record Revocation(Target target, RevocationReason reason, String detail, Optional<Instant> effective,
        boolean cascade, String requestedBy) {
    /** The longest {@code detail}. */
    public static final int MAX_DETAIL = 1024;

    /** Validates; throws {@link IllegalArgumentException} naming the bad field. */
    public Revocation {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(effective, "effective");
        if (reason == null || reason == RevocationReason.REVOCATION_REASON_UNSPECIFIED
                || reason == RevocationReason.UNRECOGNIZED) {
            throw new IllegalArgumentException("reason is " + reason + ", want one of the REVOCATION_REASON_* values");
        }
        detail = detail == null ? "" : detail;
        if (detail.length() > MAX_DETAIL) {
            throw new IllegalArgumentException("detail is " + detail.length() + " characters, want at most " + MAX_DETAIL);
        }
        if (requestedBy == null || requestedBy.isEmpty()) {
            throw new IllegalArgumentException("requestedBy is empty");
        }
    }

    /**
     * The request a logged {@code Revoked} message describes (as received over an API).
     *
     * @throws InvalidRevocationException if it names no target or a malformed one, or a field is invalid
     */
    public static Revocation of(Revoked revoked, String requestedBy) throws InvalidRevocationException {
        try {
            return parse(revoked, requestedBy);
        } catch (IllegalArgumentException e) {
            throw new InvalidRevocationException(e.getMessage(), e);
        }
    }

    private static Revocation parse(Revoked revoked, String requestedBy) {
        Target target = Target.of(revoked).orElseThrow(() -> new IllegalArgumentException(
                revoked.getTargetCase() == Revoked.TargetCase.TARGET_NOT_SET
                        ? "revocation names no target: set one of spiffe_id, serial, token_id, delegation_id, agent_instance, user"
                        : "revocation target " + revoked.getTargetCase() + " is malformed or empty"));
        Optional<Instant> effective = revoked.getEffectiveUnixMillis() == 0
                ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked.getEffectiveUnixMillis()));
        return new Revocation(target, revoked.getReason(), revoked.getReasonDetail(), effective, revoked.getCascade(),
                requestedBy);
    }

    /** The log entry recording this revocation, stamped with {@code now} and the request id. */
    LogEntry toEntry(Instant now, String requestId, int schemaVersion) {
        Revoked.Builder revoked = Revoked.newBuilder()
                .setReason(reason)
                .setReasonDetail(detail)
                .setEffectiveUnixMillis(effective.orElse(now).toEpochMilli())
                .setCascade(cascade)
                .setRequestedBy(requestedBy);
        target.setOn(revoked);
        return LogEntry.newBuilder()
                .setHeader(Header.newBuilder()
                        .setSchemaVersion(schemaVersion)
                        .setTimeUnixMillis(now.toEpochMilli())
                        .setCallerSpiffeId(requestedBy.startsWith("spiffe://") ? requestedBy : "")
                        .setRequestId(requestId))
                .setRevoked(revoked)
                .build();
    }
}
