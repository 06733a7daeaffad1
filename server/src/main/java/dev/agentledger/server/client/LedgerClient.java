package dev.agentledger.server.client;

import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.GetCheckpointRequest;
import dev.agentledger.proto.v1.LedgerServiceGrpc;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.Pem;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.MessageLite;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC client of a server's private listener over mTLS (grpc-java with its Netty transport).
 * The server's certificate must chain to the given CA and name the host connected to.
 */
public final class LedgerClient implements AutoCloseable {
    private static final long DEADLINE_SECONDS = 30;

    private final ManagedChannel managed;
    private final Channel channel;
    private final LedgerServiceGrpc.LedgerServiceBlockingStub stub;
    private final AppendCoalescer appends;

    private LedgerClient(ManagedChannel managed) {
        this.managed = managed;
        this.channel = ClientInterceptors.intercept(managed, new OutboundLimit());
        this.stub = LedgerServiceGrpc.newBlockingStub(channel);
        // The coalescer's callbacks only unpack an answer and complete futures (or send the next
        // batch without blocking): they run on the transport's thread, without a hand-off to
        // gRPC's default executor per call.
        this.appends = new AppendCoalescer(
                batch -> futureStub().withExecutor(MoreExecutors.directExecutor()).appendBatch(batch),
                one -> futureStub().withExecutor(MoreExecutors.directExecutor()).append(one),
                read -> futureStub().getEntry(read));
    }

    /**
     * Refuses, before sending, a request over the private listener's message limit: the server
     * could only drop such a call without an answer (Helidon closes the stream silently), so the
     * caller would wait out its deadline instead of hearing RESOURCE_EXHAUSTED at once.
     */
    private static final class OutboundLimit implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void sendMessage(Q message) {
                    // Checked here, on the caller's thread: gRPC's own outbound limit fails inside a
                    // stream not yet connected, where the error is only logged and the call hangs.
                    int size = message instanceof MessageLite m ? m.getSerializedSize() : 0;
                    if (size > ServerConfig.DEFAULT_MAX_MESSAGE_BYTES) {
                        throw Status.RESOURCE_EXHAUSTED.withDescription("request of " + size
                                + " bytes is over the private listener's limit of " + ServerConfig.DEFAULT_MAX_MESSAGE_BYTES)
                                .asRuntimeException();
                    }
                    super.sendMessage(message);
                }
            };
        }
    }

    /**
     * Connects to {@code address}, trusting only {@code ca}, presenting {@code client} when given
     * (without it, the server refuses the call).
     *
     * @throws IOException if the credentials cannot be encoded for TLS
     */
    public static LedgerClient connect(HostPort address, X509Certificate ca, Optional<Credentials> client) throws IOException {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(pem(Pem.certificates(List.of(ca))));
        if (client.isPresent()) {
            tls.keyManager(pem(Pem.certificates(client.get().chain())), pem(Pem.privateKey(client.get().key())));
        }
        ChannelCredentials credentials = tls.build();
        return new LedgerClient(Grpc.newChannelBuilderForAddress(address.connectHost(), address.port(), credentials).build());
    }

    /**
     * Appends {@code entry}; blocks until it is logged. Appends made concurrently from many threads
     * travel together in batch messages (see {@link #appendAsync}); each caller still gets its
     * own answer, and a refusal of its entry only.
     *
     * @throws io.grpc.StatusRuntimeException with the server's status on refusal (CANCELLED if the
     *     thread is interrupted while waiting: the entry may or may not be logged)
     */
    public AppendResponse append(LogEntry entry, boolean dedupe) {
        try {
            return appendAsync(entry, dedupe).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while waiting for the append").withCause(e).asRuntimeException();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException status ? status : Status.fromThrowable(e.getCause()).asRuntimeException();
        }
    }

    /**
     * Appends {@code entry} without blocking. It goes at once while fewer than two calls are in
     * flight on this client; otherwise it waits with the others for one to end, and they go
     * together in one {@code AppendBatch} message (group commit on the client side). The future completes with this entry's own answer, its checkpoint
     * filled in, or fails with a {@link StatusRuntimeException}: an entry the server refuses fails
     * only its own future (such entries are sent again alone). The future completes on the gRPC
     * transport's thread: a dependent stage that blocks must be given its own executor
     * ({@code thenApplyAsync(fn, executor)} and the like).
     */
    public CompletableFuture<AppendResponse> appendAsync(LogEntry entry, boolean dedupe) {
        return appends.append(AppendRequest.newBuilder().setEntry(entry).setDedupe(dedupe).build());
    }

    /**
     * Appends {@code entries} without blocking, queued together so that they travel in as few
     * {@code AppendBatch} messages as the size limits allow; one future per entry, in order, each
     * completing as {@link #appendAsync}'s.
     */
    public List<CompletableFuture<AppendResponse>> appendAllAsync(List<LogEntry> entries, boolean dedupe) {
        return appends.appendAll(entries.stream().map(e -> AppendRequest.newBuilder().setEntry(e).setDedupe(dedupe).build()).toList());
    }

    /** The latest signed checkpoint's note bytes. */
    public byte[] checkpoint() {
        return stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getCheckpoint().toByteArray();
    }

    /** An asynchronous stub on the same channel, for callers that keep many appends in flight. */
    public LedgerServiceGrpc.LedgerServiceFutureStub futureStub() {
        return LedgerServiceGrpc.newFutureStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The blocking stub, for the other RPCs. */
    public LedgerServiceGrpc.LedgerServiceBlockingStub stub() {
        return stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The issuer's blocking stub on the same channel (registration and SVIDs). */
    public dev.agentledger.proto.v1.IssuerServiceGrpc.IssuerServiceBlockingStub issuer() {
        return dev.agentledger.proto.v1.IssuerServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The mTLS channel, for stubs of the other services on the private listener. */
    public Channel channel() {
        return channel;
    }

    private static InputStream pem(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        managed.shutdownNow();
        try {
            managed.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
