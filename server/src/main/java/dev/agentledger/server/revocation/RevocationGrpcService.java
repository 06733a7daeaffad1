package dev.agentledger.server.revocation;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.RevokeResponse;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.revocation.Heartbeat;
import dev.agentledger.revocation.RevocationEvent;
import dev.agentledger.revocation.RevocationListener;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.revocation.Subscription;
import dev.agentledger.server.auth.ForbiddenException;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.observe.RevocationMeters;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * {@code agentledger.v1.RevocationService} on the private listener. Revoke needs role revoker or
 * operator; WatchRevocations any identity of the server's trust domain. Each watcher is a
 * subscription of the feed, written to by its own thread with messages encoded once for all
 * watchers; failures become gRPC status in {@link RevocationErrors} only.
 */
public final class RevocationGrpcService implements RevocationServiceGrpc.AsyncService, BindableService {
    private final Revocations revocations;
    private final RevocationMeters meters;
    private final String trustDomain;
    private final Revoker revoker;
    private final RevocationMessages messages;
    private final Supplier<Optional<Certificate[]>> peerCertificates;
    private final ConnectionLocks connectionLocks = new ConnectionLocks();

    /**
     * A service over {@code revocations}.
     *
     * @param roles who may revoke; watchers must be of {@code trustDomain}
     * @param peerCertificates the verified client certificate chain of the current call
     */
    public RevocationGrpcService(Revocations revocations, Roles roles, String trustDomain,
            Supplier<Optional<Certificate[]>> peerCertificates) {
        this(revocations, roles, trustDomain, peerCertificates, RevocationMeters.global(java.time.InstantSource.system()));
    }

    /** A service over {@code revocations} whose watchers are measured in {@code meters}. */
    public RevocationGrpcService(Revocations revocations, Roles roles, String trustDomain,
            Supplier<Optional<Certificate[]>> peerCertificates, RevocationMeters meters) {
        this(revocations, roles, trustDomain, peerCertificates, new RevocationMessages(), meters);
    }

    RevocationGrpcService(Revocations revocations, Roles roles, String trustDomain,
            Supplier<Optional<Certificate[]>> peerCertificates, RevocationMessages messages) {
        this(revocations, roles, trustDomain, peerCertificates, messages, RevocationMeters.global(java.time.InstantSource.system()));
    }

    RevocationGrpcService(Revocations revocations, Roles roles, String trustDomain,
            Supplier<Optional<Certificate[]>> peerCertificates, RevocationMessages messages, RevocationMeters meters) {
        this.meters = meters;
        this.revocations = revocations;
        this.trustDomain = trustDomain;
        this.messages = messages;
        this.revoker = new Revoker(revocations, roles, messages);
        this.peerCertificates = peerCertificates;
    }

    @Override
    public void revoke(RevokeRequest request, StreamObserver<RevokeResponse> out) {
        RevokeResponse response;
        try {
            response = revoker.revoke(CallerIdentity.of(peerCertificates.get()), request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
            return;
        } catch (Exception e) {
            out.onError(RevocationErrors.grpc(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    /**
     * The generated binding, except that WatchRevocations writes feed messages already encoded:
     * every stream writes the same bytes, made once per event (see {@link RevocationMessages}).
     */
    @Override
    public ServerServiceDefinition bindService() {
        ServerServiceDefinition generated = RevocationServiceGrpc.bindService(this);
        MethodDescriptor<WatchRevocationsRequest, WatchRevocationsResponse> watch = RevocationServiceGrpc.getWatchRevocationsMethod();
        MethodDescriptor<WatchRevocationsRequest, EncodedResponse> encoded = watch.toBuilder(watch.getRequestMarshaller(),
                EncodedResponse.MARSHALLER).build();
        ServiceDescriptor.Builder service = ServiceDescriptor.newBuilder(generated.getServiceDescriptor().getName())
                .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(encoded);
        List<ServerMethodDefinition<?, ?>> others = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
            if (!method.getMethodDescriptor().getFullMethodName().equals(watch.getFullMethodName())) {
                service.addMethod(method.getMethodDescriptor());
                others.add(method);
            }
        }
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service.build())
                .addMethod(encoded, ServerCalls.asyncServerStreamingCall(this::watch));
        others.forEach(definition::addMethod);
        return definition.build();
    }

    /**
     * Streams the feed from {@code request.from_sequence}; several waiting events share one message
     * when the watcher asked with {@code several_events}.
     */
    private void watch(WatchRevocationsRequest request, StreamObserver<EncodedResponse> out) {
        try {
            requireTrustDomain(CallerIdentity.of(peerCertificates.get()), trustDomain);
            Watcher watcher = new Watcher(out, request.getSeveralEvents(), connectionId());
            Subscription subscription = revocations.subscribe(request.getFromSequence(),
                    meters.timed(RevocationMeters.GRPC, watcher));
            meters.subscribers(RevocationMeters.GRPC).incrementAndGet();
            if (out instanceof ServerCallStreamObserver<EncodedResponse> call) {
                call.setOnCancelHandler(() -> {
                    watcher.ended();
                    subscription.close();
                });
            }
        } catch (Exception e) {
            out.onError(RevocationErrors.grpc(e));
        }
    }

    /**
     * The current call's HTTP/2 connection as Helidon names it (listener and connection socket ids);
     * a key of its own when the call has no Helidon connection (then its stream shares no lock).
     */
    private static String connectionId() {
        GrpcConnectionContext connection = ServerContextKeys.CONNECTION_CONTEXT.get();
        return connection == null ? "call-" + java.util.UUID.randomUUID()
                : connection.serverSocketId() + " " + connection.connectionSocketId();
    }

    /** Watching needs an identity of this trust domain. */
    static void requireTrustDomain(SpiffeId caller, String trustDomain) throws ForbiddenException {
        if (!caller.trustDomain().equals(trustDomain)) {
            throw new ForbiddenException(caller + " may not watch revocations: only identities of trust domain "
                    + trustDomain + " may");
        }
    }

    /** Writes one subscription's feed to its gRPC stream. */
    private final class Watcher implements RevocationListener {
        /**
         * Events in one message at most this size, unless one event alone is larger: with gRPC's
         * 5-byte prefix a message fits one HTTP/2 DATA frame of the default maximum size, 16,384
         * bytes (RFC 9113 section 4.2). Helidon 4.5's outbound flow control miscounts messages it
         * splits into several frames (with 64 KiB messages, clients saw FLOW_CONTROL_ERROR "Window
         * size too big" within seconds; see helidon-io/helidon#9589 for its kind).
         */
        private static final int MAX_MESSAGE_BYTES = 16_384 - 5;

        private final StreamObserver<EncodedResponse> out;
        private final boolean several;
        private final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final String connection;
        /** Held while writing: one message at a time per connection (see {@link ConnectionLocks}). */
        private final Lock writing;

        Watcher(StreamObserver<EncodedResponse> out, boolean several, String connection) {
            this.out = out;
            this.several = several;
            this.connection = connection;
            this.writing = connectionLocks.acquire(connection);
        }

        /** The watch ended (cancelled, cut off, or its stream failed): it leaves the subscriber count and its connection once. */
        void ended() {
            if (counted.compareAndSet(true, false)) {
                meters.subscribers(RevocationMeters.GRPC).decrementAndGet();
                connectionLocks.release(connection);
            }
        }

        @Override
        public void onEvent(RevocationEvent event) {
            send(List.of(several ? messages.several(List.of(event), MAX_MESSAGE_BYTES).get(0) : messages.single(event)));
        }

        @Override
        public void onEvents(List<RevocationEvent> events) {
            if (several) {
                send(messages.several(events, MAX_MESSAGE_BYTES));
            } else {
                send(events.stream().map(messages::single).toList());
            }
        }

        @Override
        public void onHeartbeat(Heartbeat heartbeat) {
            send(List.of(messages.grpc(heartbeat)));
        }

        /** Writes {@code messages} in order, holding the connection's lock once for all of them. */
        private void send(List<EncodedResponse> messages) {
            writing.lock();
            try {
                for (EncodedResponse message : messages) {
                    out.onNext(message);
                }
            } catch (RuntimeException e) {
                ended();
                throw e;
            } finally {
                writing.unlock();
            }
        }

        @Override
        public void onClosed(Cause cause, String message, long lastSequence) {
            ended();
            Status status = cause == Cause.TOO_SLOW ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE;
            try {
                out.onError(status.withDescription(message).asRuntimeException());
            } catch (RuntimeException e) {
                // The stream is already gone.
            }
        }
    }
}
