package dev.agentledger.server.proxy;

import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        try {
            return client.append(entry(call, UUID.randomUUID().toString()), false).getIndex();
        } catch (StatusRuntimeException e) {
            throw refused(e);
        }
    }

    /** The log entry that records {@code call}, with {@code requestId} in its header. */
    static LogEntry entry(ToolCallRecorded call, String requestId) {
        return LogEntry.newBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(LogEntries.SCHEMA_VERSION).setRequestId(requestId))
                .setToolCallRecorded(call)
                .build();
    }

    /**
     * Appends {@code entries} (each an {@link #entry} of a call) together, in as few batch
     * messages as fit; one future per entry, in order, with its log index, or failed with the
     * {@link IOException} {@link #record} would throw. The futures complete on the gRPC transport's
     * thread: do not block in a dependent stage.
     */
    List<CompletableFuture<Long>> appendAll(List<LogEntry> entries) {
        return client.appendAllAsync(entries, false).stream()
                .map(f -> f.handle((answer, failure) -> {
                    if (failure != null) {
                        throw new CompletionException(failure instanceof StatusRuntimeException e ? refused(e) : failure);
                    }
                    return answer.getIndex();
                }))
                .toList();
    }

    private static IOException refused(StatusRuntimeException e) {
        return new IOException("the authority did not record the tool call: " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()), e);
    }

    @Override
    public void close() {
        client.close();
    }
}
