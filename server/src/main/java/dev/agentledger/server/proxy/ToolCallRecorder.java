package dev.agentledger.server.proxy;

import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.UUID;

/**
 * Appends {@code ToolCallRecorded} entries to the authority's log over its mTLS gRPC API as one
 * tool identity (the authority lets a tool append exactly this kind of entry and nothing else,
 * and stamps the entry's header with that identity). An append returns once the entry is durable
 * and in a signed checkpoint. Thread-safe.
 */
final class ToolCallRecorder implements AutoCloseable {
    private final LedgerClient client;

    ToolCallRecorder(LedgerClient client) {
        this.client = client;
    }

    /**
     * Appends {@code call}; returns its log index.
     *
     * @throws IOException if the authority refused or could not be reached
     */
    long record(ToolCallRecorded call) throws IOException {
        return append(entry(call, UUID.randomUUID().toString()));
    }

    /** The log entry that records {@code call}, with {@code requestId} in its header. */
    static LogEntry entry(ToolCallRecorded call, String requestId) {
        return LogEntry.newBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(LogEntries.SCHEMA_VERSION).setRequestId(requestId))
                .setToolCallRecorded(call)
                .build();
    }

    /**
     * Appends {@code entry} (a {@link #entry} of a call); returns its log index.
     *
     * @throws IOException if the authority refused or could not be reached
     */
    long append(LogEntry entry) throws IOException {
        try {
            return client.append(entry, false).getIndex();
        } catch (StatusRuntimeException e) {
            throw new IOException("the authority did not record the tool call: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
