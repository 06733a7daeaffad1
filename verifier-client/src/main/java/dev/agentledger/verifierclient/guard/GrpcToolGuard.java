package dev.agentledger.verifierclient.guard;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The {@link ToolGuard} as a gRPC server interceptor: each method is mapped to the action and
 * resource it performs; a call to an unmapped method is refused. The capability token comes in
 * the {@code authorization} metadata ({@code Bearer <token>}), the log proof in
 * {@code agentledger-log-proof}. Refusals close the call with UNAUTHENTICATED (401 reasons),
 * PERMISSION_DENIED (403) or UNAVAILABLE (503); an admitted call finds its {@link Admission} in
 * {@link #ADMISSION}.
 */
public final class GrpcToolGuard implements ServerInterceptor {
    /** The admission of the current call. */
    public static final Context.Key<Admission> ADMISSION = Context.key("agentledger-admission");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PROOF = Metadata.Key.of("agentledger-log-proof", Metadata.ASCII_STRING_MARSHALLER);

    /** The action and resource a method performs. */
    public record Operation(String action, String resource) {}

    private final ToolGuard guard;
    private final Map<String, Operation> operations;
    private final Function<ServerCall<?, ?>, List<X509Certificate>> peerChain;

    /**
     * Guards the methods in {@code operations} (full method names, e.g. {@code billing.v1.Billing/Charge}),
     * reading the client certificates from the call's TLS session (grpc-java's transports).
     */
    public GrpcToolGuard(ToolGuard guard, Map<String, Operation> operations) {
        this(guard, operations, GrpcToolGuard::tlsPeerChain);
    }

    /** As above, with another way to find the verified client certificates of a call. */
    public GrpcToolGuard(ToolGuard guard, Map<String, Operation> operations,
            Function<ServerCall<?, ?>, List<X509Certificate>> peerChain) {
        this.guard = guard;
        this.operations = Map.copyOf(operations);
        this.peerChain = peerChain;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        Operation operation = operations.get(call.getMethodDescriptor().getFullMethodName());
        if (operation == null) {
            call.close(Status.PERMISSION_DENIED.withDescription("method is not mapped to an action: refused"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Admission admission;
        try {
            admission = guard.admit(peerChain.apply(call), Optional.ofNullable(headers.get(AUTHORIZATION)),
                    Optional.ofNullable(headers.get(PROOF)), operation.action(), operation.resource());
        } catch (AccessDeniedException e) {
            Status status = switch (e.httpStatus()) {
                case 401 -> Status.UNAUTHENTICATED;
                case 403 -> Status.PERMISSION_DENIED;
                default -> Status.UNAVAILABLE;
            };
            call.close(status.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(ADMISSION, admission), call, headers, next);
    }

    private static List<X509Certificate> tlsPeerChain(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        List<X509Certificate> chain = new ArrayList<>();
        if (session == null) {
            return chain;
        }
        try {
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            chain.clear();
        }
        return chain;
    }
}
