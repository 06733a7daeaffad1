package dev.agentledger.server.grpc;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server writes over in an appended entry's header: the authenticated caller's SPIFFE ID
 * and the server's time. The server stamps each entry with it before logging; a client told the
 * stamp of a batch ({@code AppendBatchRequest.omit_entries}) rebuilds the logged bytes with the same
 * code and checks them against the leaf hash.
 *
 * @param callerSpiffeId the caller's SPIFFE ID, as the certificate named it
 * @param timeUnixMillis the server's time, milliseconds since the epoch
 */
public record Stamp(String callerSpiffeId, long timeUnixMillis) {
    /** A stamp; {@code callerSpiffeId} must not be null. */
    public Stamp {
        Objects.requireNonNull(callerSpiffeId, "callerSpiffeId");
    }

    /**
     * The log bytes of {@code claimed} with this stamp in its header, deterministically serialized.
     *
     * @throws MalformedEntryException if {@code claimed}, or the stamped entry, fails {@link LogEntries#check}
     */
    public byte[] logBytes(LogEntry claimed) throws MalformedEntryException {
        LogEntries.check(claimed);
        LogEntry stamped = claimed.toBuilder()
                .setHeader(claimed.getHeader().toBuilder()
                        .setCallerSpiffeId(callerSpiffeId)
                        .setTimeUnixMillis(timeUnixMillis))
                .build();
        return LogEntries.serialize(LogEntries.check(stamped));
    }

    /**
     * The log bytes of {@code claimed} with this stamp when their RFC 9162 leaf hash is {@code
     * leafHash}; empty when they are not (the server logged other bytes: for example it does not
     * know a field the client's schema has, and serialized it elsewhere) or {@code claimed} fails
     * {@link LogEntries#check}.
     */
    public Optional<byte[]> rebuild(LogEntry claimed, Hash leafHash) {
        byte[] bytes;
        try {
            bytes = logBytes(claimed);
        } catch (MalformedEntryException e) {
            return Optional.empty();
        }
        return Rfc6962.hashLeaf(bytes).equals(leafHash) ? Optional.of(bytes) : Optional.empty();
    }
}
