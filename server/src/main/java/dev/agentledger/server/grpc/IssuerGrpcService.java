package dev.agentledger.server.grpc;

import com.google.protobuf.ByteString;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.JwtSvid;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.issuer.Registered;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.issuer.TokenExchange;
import dev.agentledger.issuer.TokenExchangeException;
import dev.agentledger.issuer.TokenExchangeRequest;
import dev.agentledger.issuer.TokenExchangeResponse;
import dev.agentledger.issuer.WorkloadSpec;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.ExchangeTokenRequest;
import dev.agentledger.proto.v1.ExchangeTokenResponse;
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
import dev.agentledger.server.observe.IssuanceMeters;
import io.grpc.stub.StreamObserver;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The {@code agentledger.v1.IssuerService} of the private listener: orchestrators register agent
 * instances; the orchestrator or the instance itself obtains SVIDs; agents exchange delegations for
 * capability tokens (the rules of {@code POST /oauth2/token}, written once in the issuer). Every answer carries the
 * proof that its credential is logged. Failures become gRPC status in {@link GrpcErrors} only.
 */
public final class IssuerGrpcService extends IssuerServiceGrpc.IssuerServiceImplBase {
    private final Issuer issuer;
    private final Registrations registrations;
    private final TokenExchange exchange;
    private final Roles roles;
    private final Supplier<Optional<Certificate[]>> peerCertificates;
    private final IssuanceMeters meters = IssuanceMeters.global();

    /**
     * A service issuing through {@code issuer} and {@code exchange}, authorizing callers by
     * {@code roles}, who are known by {@code peerCertificates} (leaf first).
     */
    public IssuerGrpcService(Issuer issuer, Registrations registrations, TokenExchange exchange, Roles roles,
            Supplier<Optional<Certificate[]>> peerCertificates) {
        this.issuer = issuer;
        this.registrations = registrations;
        this.exchange = exchange;
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
            LoggedCredential<Registered> logged = counted("registration", () -> registrations.register(caller, spec(request)));
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
            LoggedCredential<X509Certificate> logged = counted("x509_svid", () -> registrations.issueX509Svid(caller,
                    SpiffeId.parse(request.getSpiffeId()), request.getCsr().toByteArray(), ttl));
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
            LoggedCredential<JwtSvid> logged = counted("jwt_svid", () -> registrations.issueJwtSvid(caller,
                    SpiffeId.parse(request.getSpiffeId()), request.getAudienceList(), ttl));
            return IssueJwtSvidResponse.newBuilder()
                    .setToken(logged.credential().token())
                    .setTokenId(logged.credential().tokenId())
                    .setExpiresUnixMillis(logged.credential().expiresAt().toEpochMilli())
                    .setProof(proof(logged))
                    .build();
        });
    }

    /**
     * The token exchange of {@code POST /oauth2/token}: the fields become the form parameters
     * {@link TokenExchangeRequest#parse} reads (an empty field is an absent parameter), and the
     * token is bound to the caller's client certificate.
     */
    @Override
    public void exchangeToken(ExchangeTokenRequest request, StreamObserver<ExchangeTokenResponse> out) {
        Unary.respond(out, () -> {
            TokenExchangeResponse answer;
            try {
                answer = exchange.exchange(TokenExchangeRequest.parse(parameters(request)), leaf(peerCertificates.get()));
            } catch (TokenExchangeException e) {
                meters.refused("capability_token", e.error().code());
                throw e;
            }
            meters.issued("capability_token");
            return ExchangeTokenResponse.newBuilder()
                    .setToken(answer.issued().credential().token())
                    .setIssuedTokenType(TokenExchangeRequest.ACCESS_TOKEN_TYPE)
                    .setTokenType(TokenExchangeResponse.TOKEN_TYPE)
                    .setExpiresIn(Math.max(0, answer.expiresIn()))
                    .setScope(answer.issued().credential().claims().action())
                    .setProof(proof(answer.issued()))
                    .build();
        });
    }

    /** The RFC 8693 form parameters of {@code request}: one value per non-empty field. */
    static Map<String, List<String>> parameters(ExchangeTokenRequest request) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        BiConsumer<String, String> put = (name, value) -> {
            if (!value.isEmpty()) {
                form.put(name, List.of(value));
            }
        };
        put.accept("grant_type", request.getGrantType());
        put.accept("subject_token", request.getSubjectToken());
        put.accept("subject_token_type", request.getSubjectTokenType());
        put.accept("actor_token", request.getActorToken());
        put.accept("actor_token_type", request.getActorTokenType());
        put.accept("resource", request.getResource());
        put.accept("scope", request.getScope());
        put.accept("authorization_details", request.getAuthorizationDetails());
        put.accept("approval_id", request.getApprovalId());
        return form;
    }

    private static Optional<X509Certificate> leaf(Optional<Certificate[]> chain) {
        return chain.filter(c -> c.length > 0 && c[0] instanceof X509Certificate).map(c -> (X509Certificate) c[0]);
    }

    private interface Issuance<T> {
        LoggedCredential<T> issue() throws IssuanceException;
    }

    /** Runs {@code issuance}, counting it as issued or refused by reason. */
    private <T> LoggedCredential<T> counted(String kind, Issuance<T> issuance) throws IssuanceException {
        try {
            LoggedCredential<T> logged = issuance.issue();
            meters.issued(kind);
            return logged;
        } catch (IssuanceException e) {
            meters.refused(kind, e.reason().name());
            throw e;
        }
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
