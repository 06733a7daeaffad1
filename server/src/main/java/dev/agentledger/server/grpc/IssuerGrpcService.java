package dev.agentledger.server.grpc;

import com.google.protobuf.ByteString;
import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.JwtSvid;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.issuer.Registered;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.issuer.WorkloadSpec;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.IssueJwtSvidRequest;
import dev.agentledger.proto.v1.IssueJwtSvidResponse;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.IssueX509SvidResponse;
import dev.agentledger.proto.v1.IssuerServiceGrpc;
import dev.agentledger.proto.v1.LogProof;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;
import io.grpc.stub.StreamObserver;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code agentledger.v1.IssuerService} of the private listener: orchestrators register agent
 * instances; the orchestrator or the instance itself obtains SVIDs. Every answer carries the
 * proof that its credential is logged. Failures become gRPC status in {@link GrpcErrors} only.
 */
public final class IssuerGrpcService extends IssuerServiceGrpc.IssuerServiceImplBase {
    private final Issuer issuer;
    private final Registrations registrations;
    private final Roles roles;
    private final Supplier<Optional<Certificate[]>> peerCertificates;

    /** A service issuing through {@code issuer}, authorizing callers by {@code roles}. */
    public IssuerGrpcService(Issuer issuer, Registrations registrations, Roles roles,
            Supplier<Optional<Certificate[]>> peerCertificates) {
        this.issuer = issuer;
        this.registrations = registrations;
        this.roles = roles;
        this.peerCertificates = peerCertificates;
    }

    @Override
    public void registerWorkload(RegisterWorkloadRequest request, StreamObserver<RegisterWorkloadResponse> out) {
        Unary.respond(out, () -> {
            SpiffeId caller = CallerIdentity.of(peerCertificates.get());
            if (request.getTool()) {
                roles.require(caller, "register tools");
            } else {
                roles.require(caller, "register workloads", Role.ORCHESTRATOR);
            }
            LoggedCredential<Registered> logged = registrations.register(caller, spec(request));
            Registered registered = logged.credential();
            return RegisterWorkloadResponse.newBuilder()
                    .setSpiffeId(registered.registration().spiffeId().value())
                    .setAgentInstance(registered.registration().agentInstance())
                    .setJoinToken(registered.joinToken().token())
                    .setJoinTokenExpiresUnixMillis(registered.joinToken().expires().toEpochMilli())
                    .setExpiresUnixMillis(registered.registration().expires().toEpochMilli())
                    .setProof(proof(logged))
                    .build();
        });
    }

    @Override
    public void issueX509Svid(IssueX509SvidRequest request, StreamObserver<IssueX509SvidResponse> out) {
        Unary.respond(out, () -> {
            SpiffeId caller = CallerIdentity.of(peerCertificates.get());
            Duration ttl = request.getTtlSeconds() == 0 ? Issuer.MAX_X509_SVID_TTL : seconds(request.getTtlSeconds());
            LoggedCredential<X509Certificate> logged = registrations.issueX509Svid(caller,
                    SpiffeId.parse(request.getSpiffeId()), request.getCsr().toByteArray(), ttl);
            return IssueX509SvidResponse.newBuilder()
                    .addAllCertificateChain(der(List.of(logged.credential(), issuer.caCertificate())))
                    .addAllTrustBundle(der(issuer.trustBundle().x509Authorities()))
                    .setProof(proof(logged))
                    .build();
        });
    }

    @Override
    public void issueJwtSvid(IssueJwtSvidRequest request, StreamObserver<IssueJwtSvidResponse> out) {
        Unary.respond(out, () -> {
            SpiffeId caller = CallerIdentity.of(peerCertificates.get());
            Duration ttl = request.getTtlSeconds() == 0 ? Issuer.DEFAULT_JWT_SVID_TTL : seconds(request.getTtlSeconds());
            LoggedCredential<JwtSvid> logged = registrations.issueJwtSvid(caller,
                    SpiffeId.parse(request.getSpiffeId()), request.getAudienceList(), ttl);
            return IssueJwtSvidResponse.newBuilder()
                    .setToken(logged.credential().token())
                    .setTokenId(logged.credential().tokenId())
                    .setExpiresUnixMillis(logged.credential().expiresAt().toEpochMilli())
                    .setProof(proof(logged))
                    .build();
        });
    }

    /** The log position and proof of a logged credential. */
    public static LogProof proof(LoggedCredential<?> logged) {
        return LogProof.newBuilder()
                .setIndex(logged.index())
                .setLeafHash(ProtoProofs.bytes(logged.leafHash()))
                .setCheckpoint(ByteString.copyFrom(logged.checkpoint().noteBytes()))
                .setInclusionProof(ProtoProofs.inclusion(logged.proof()))
                .build();
    }

    private static WorkloadSpec spec(RegisterWorkloadRequest request) {
        Optional<SpiffeId> user = request.getActingUserSpiffeId().isEmpty()
                ? Optional.empty() : Optional.of(SpiffeId.parse(request.getActingUserSpiffeId()));
        Optional<String> instance = request.getAgentInstance().isEmpty() ? Optional.empty() : Optional.of(request.getAgentInstance());
        Duration lifetime = request.getLifetimeSeconds() == 0 ? WorkloadSpec.DEFAULT_LIFETIME : seconds(request.getLifetimeSeconds());
        return new WorkloadSpec(request.getTool() ? WorkloadSpec.Kind.TOOL : WorkloadSpec.Kind.AGENT, request.getAgentName(), instance, request.getTask(), user, request.getEnvironment(),
                request.getSelectorsList(), lifetime);
    }

    private static Duration seconds(long value) {
        if (value < 0 || value > Duration.ofDays(365).toSeconds()) {
            throw new IllegalArgumentException("a duration of " + Long.toUnsignedString(value) + " seconds is out of range");
        }
        return Duration.ofSeconds(value);
    }

    private static List<ByteString> der(List<X509Certificate> certificates) throws CertificateEncodingException {
        List<ByteString> encoded = new java.util.ArrayList<>();
        for (X509Certificate certificate : certificates) {
            encoded.add(ByteString.copyFrom(certificate.getEncoded()));
        }
        return encoded;
    }
}
