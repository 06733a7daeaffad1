package dev.agentledger.verifierclient.revocation;

import dev.agentledger.merkle.VerificationException;

/** A credential is refused: one of its ids is revoked, or the revocation feed is stale (fail closed). */
public final class CredentialRevokedException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final transient RevocationStatus status;

    CredentialRevokedException(RevocationStatus status) {
        super(describe(status));
        this.status = status;
    }

    /** Why: a {@link RevocationStatus.Revoked} or a {@link RevocationStatus.Stale}. */
    public RevocationStatus status() {
        return status;
    }

    private static String describe(RevocationStatus status) {
        return switch (status) {
            case RevocationStatus.Revoked r -> r.id() + " is revoked (sequence " + r.sequence() + ", " + r.reason()
                    + (r.detail().isEmpty() ? "" : ": " + r.detail()) + ", effective " + r.effective() + ")";
            case RevocationStatus.Stale s -> "revocation status unknown, refusing: " + s.reason();
            case RevocationStatus.NotRevoked n -> "not revoked";
        };
    }
}
