package dev.agentledger.server.revocation;

import dev.agentledger.ledger.LedgerException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.RevokeResponse;
import dev.agentledger.revocation.InvalidRevocationException;
import dev.agentledger.revocation.Revocation;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.server.auth.ForbiddenException;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;

/**
 * A revoke request from an authenticated caller, the same for gRPC and HTTP: the caller must hold
 * role revoker (or operator); the logged {@code requested_by} is the caller's SPIFFE ID, whatever
 * the request said.
 */
final class Revoker {
    private final Revocations revocations;
    private final Roles roles;
    private final RevocationMessages messages;

    Revoker(Revocations revocations, Roles roles, RevocationMessages messages) {
        this.revocations = revocations;
        this.roles = roles;
        this.messages = messages;
    }

    /**
     * Logs, numbers and broadcasts the revocation; returns its event.
     *
     * @throws ForbiddenException if the caller may not revoke
     * @throws InvalidRevocationException if the request names no valid target or reason
     * @throws LedgerException if the log refused or could not commit it
     */
    RevokeResponse revoke(SpiffeId caller, RevokeRequest request)
            throws ForbiddenException, InvalidRevocationException, LedgerException, InterruptedException {
        roles.require(caller, "revoke", Role.REVOKER);
        if (!request.hasRevocation()) {
            throw new InvalidRevocationException("request has no revocation");
        }
        Revocation revocation = Revocation.of(request.getRevocation(), caller.value());
        return RevokeResponse.newBuilder()
                .setEvent(messages.encode(revocations.revoke(revocation, request.getRequestId())).proto())
                .build();
    }
}
