package dev.agentledger.server.grpc;

import dev.agentledger.proto.SpiffeId;
import java.util.Set;

/**
 * The identities allowed to append to the log (configuration, {@code serve --appender}).
 *
 * @param allowed the SPIFFE IDs that may call Append
 */
public record Appenders(Set<SpiffeId> allowed) {
    /** Copies the set; requires at least one identity. */
    public Appenders {
        allowed = Set.copyOf(allowed);
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("no identity may append: give at least one appender");
        }
    }

    /**
     * Checks {@code caller} may append.
     *
     * @throws PermissionDeniedException if it is not in the list
     */
    void check(SpiffeId caller) throws PermissionDeniedException {
        if (!allowed.contains(caller)) {
            throw new PermissionDeniedException(caller + " may not append to this log (allowed: "
                    + allowed.size() + " configured appender" + (allowed.size() == 1 ? "" : "s") + ")");
        }
    }
}
