package dev.agentledger.verifierclient.guard;

import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A call the guard let through: who called, with which token (now spent), and where the token's
 * issuance is in the log.
 *
 * @param caller the verified X509-SVID of the connection
 * @param token the verified capability token's claims
 * @param logIndex the log index of the token's {@code CapabilityTokenIssued} entry, when proven
 */
public record Admission(VerifiedX509Svid caller, CapabilityClaims token, OptionalLong logIndex) {
    /** Requires every part. */
    public Admission {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(logIndex, "logIndex");
    }
}
