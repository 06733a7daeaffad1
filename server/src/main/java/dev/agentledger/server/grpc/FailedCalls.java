package dev.agentledger.server.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Logs, one line each, the gRPC calls that end without a proper answer, whatever ended them: a
 * call closed with INTERNAL, UNKNOWN or DATA_LOSS (by a service, by the gRPC library, as
 * {@code Half-closed without a request}, or by the transport), and a unary call cancelled before
 * it was answered (the client reset its HTTP/2 stream, its deadline passed, or the connection
 * failed). {@link GrpcErrors} logs the cause of the failures it maps, with their stack trace; this
 * is the line for the rest, naming the method, the peer's address and the status description
 * (descriptions never carry a secret: tokens are named by id only). Streaming calls cancelled by
 * their client are their normal end and are not logged.
 */
public final class FailedCalls implements ServerInterceptor {
    private static final System.Logger LOG = System.getLogger(FailedCalls.class.getName());
    private static final Set<Status.Code> FAILURES = EnumSet.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS);

    /** An interceptor logging the calls it sees fail. */
    public FailedCalls() {}

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        long started = System.nanoTime();
        AtomicBoolean closed = new AtomicBoolean();
        ServerCall<Q, A> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                closed.set(true);
                if (FAILURES.contains(status.getCode())) {
                    LOG.log(System.Logger.Level.WARNING, "gRPC call {0} from {1} ended {2}: {3}", name(call), peer(call),
                            status.getCode(), status.getDescription());
                }
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
            @Override
            public void onCancel() {
                if (!closed.get() && call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
                    LOG.log(System.Logger.Level.WARNING, "gRPC call {0} from {1} was cancelled {2} ms after it started, before"
                            + " its answer was sent: the client reset the stream, its deadline passed or the connection failed",
                            name(call), peer(call), (System.nanoTime() - started) / 1_000_000);
                }
                super.onCancel();
            }
        };
    }

    private static String name(ServerCall<?, ?> call) {
        return call.getMethodDescriptor().getFullMethodName();
    }

    private static String peer(ServerCall<?, ?> call) {
        SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return address == null ? "an unknown peer" : address.toString();
    }
}
