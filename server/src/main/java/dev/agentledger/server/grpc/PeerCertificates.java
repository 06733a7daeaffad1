package dev.agentledger.server.grpc;

import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;
import java.security.cert.Certificate;
import java.util.Optional;
import java.util.function.Supplier;

/** Where the current gRPC call's verified client certificates come from. */
public final class PeerCertificates {
    private PeerCertificates() {}

    /** The chain Helidon's TLS layer verified for the connection of the current gRPC call. */
    public static Supplier<Optional<Certificate[]>> helidon() {
        return () -> {
            GrpcConnectionContext connection = ServerContextKeys.CONNECTION_CONTEXT.get();
            return connection == null ? Optional.empty() : connection.remotePeer().tlsCertificates();
        };
    }
}
