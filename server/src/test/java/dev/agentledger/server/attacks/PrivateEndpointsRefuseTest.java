package dev.agentledger.server.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.ExchangeTokenRequest;
import dev.agentledger.proto.v1.GetCheckpointRequest;
import dev.agentledger.proto.v1.IssueJwtSvidRequest;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.IssuerServiceGrpc;
import dev.agentledger.proto.v1.LedgerServiceGrpc;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.server.AgentAuthority;
import dev.agentledger.server.RunningServer;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every private endpoint (the mTLS listener's HTTP routes and gRPC methods) refuses a caller with
 * no client certificate, a certificate from another CA, an expired certificate, a revoked identity,
 * and the right kind of certificate with the wrong role; none of these refusals changes the log.
 */
class PrivateEndpointsRefuseTest {
    @TempDir
    static Path dir;
    private static AgentAuthority authority;
    private static RunningServer server;

    /** A private HTTP route and a body that would be well-formed for it. */
    record Route(String method, String path, String contentType, String body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Route> HTTP_ROUTES = List.of(
            new Route("POST", "/oauth2/token", "application/x-www-form-urlencoded",
                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=x"
                            + "&subject_token_type=urn%3Aagentledger%3Aparams%3Aoauth%3Atoken-type%3Adelegation-chain"
                            + "&resource=spiffe%3A%2F%2Fagentledger.local%2Ftool%2Fbilling&scope=invoices%3Aread"),
            new Route("POST", "/api/v1/delegations", "application/json",
                    "{\"delegate\":\"spiffe://agentledger.local/agent/x/1\",\"scopes\":[\"invoices:read\"],"
                            + "\"resources\":[\"" + AgentAuthority.TOOL + "\"],\"lifetime_seconds\":60,\"max_depth\":0}"),
            new Route("POST", "/api/v1/tokens/consume", "application/json", "{\"token\":\"x.y.z\"}"),
            new Route("GET", "/api/v1/approvals", "application/json", ""),
            new Route("GET", "/api/v1/approvals/ap-1", "application/json", ""),
            new Route("POST", "/api/v1/approvals/ap-1/approve", "application/json", "{}"),
            new Route("POST", "/api/v1/approvals/ap-1/deny", "application/json", "{}"),
            new Route("POST", "/api/v1/revocations", "application/json",
                    "{\"revocation\":{\"tokenId\":\"t-1\",\"reason\":\"REVOCATION_REASON_KEY_COMPROMISE\"}}"));

    /** Every gRPC method of the private listener, with well-formed requests about the workload {@code agent/x/1}. */
    static final List<Consumer<Channel>> GRPC_CALLS = grpcCalls("spiffe://agentledger.local/agent/x/1");

    /** Every gRPC method of the private listener, with well-formed requests; SVIDs are asked for {@code workload}. */
    static List<Consumer<Channel>> grpcCalls(String workload) {
        return List.of(
                c -> LedgerServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .append(AppendRequest.newBuilder().setEntry(RunningServer.revocation("spiffe://agentledger.local/agent/x/1", "r"))
                                .build()),
                c -> IssuerServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .registerWorkload(RegisterWorkloadRequest.newBuilder().setAgentName("intruder")
                                .setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build()),
                c -> IssuerServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .issueX509Svid(IssueX509SvidRequest.newBuilder().setSpiffeId(workload).build()),
                c -> IssuerServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .issueJwtSvid(IssueJwtSvidRequest.newBuilder().setSpiffeId(workload)
                                .addAudience(AgentAuthority.TOOL).build()),
                c -> IssuerServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .exchangeToken(ExchangeTokenRequest.newBuilder().setGrantType("urn:ietf:params:oauth:grant-type:token-exchange")
                                .setSubjectToken("x").setSubjectTokenType("urn:agentledger:params:oauth:token-type:delegation-chain")
                                .setResource(AgentAuthority.TOOL).setScope("invoices:read").build()),
                c -> RevocationServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .revoke(RevokeRequest.newBuilder().setRequestId("r").setRevocation(Revoked.newBuilder().setTokenId("t-1")
                                .setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE)).build()),
                c -> RevocationServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .watchRevocations(WatchRevocationsRequest.getDefaultInstance()).next());
    }

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir);
        server = authority.server;
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    private static CertificateAuthority bootstrapCa(InstantSource clock) throws Exception {
        return Bootstrap.certificateAuthority(server.prepared.dir(), server.prepared.passphrase().value(), clock);
    }

    /** An operator certificate from a CA this server never heard of. */
    private static Credentials fromAnotherCa() throws Exception {
        return CertificateAuthority.create(AgentAuthority.TD, InstantSource.system()).issueClient(server.prepared.operatorId());
    }

    /** An operator certificate from the server's own CA that expired a month ago. */
    private static Credentials expired() throws Exception {
        Instant past = Instant.now().minus(CertificateAuthority.LEAF_VALIDITY).minus(Duration.ofDays(30));
        return bootstrapCa(InstantSource.fixed(past)).issueClient(server.prepared.operatorId());
    }

    private static HttpResponse<String> call(Optional<Credentials> as, Route route) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .sslContext(TlsContexts.of(List.of(server.prepared.caCertificate()), as)).build();
        HttpRequest.BodyPublisher body = route.body().isEmpty()
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(route.body());
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.server.privateAddress().port() + route.path()))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", route.contentType()).method(route.method(), body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Each route and method: the TLS handshake fails or the call is unauthenticated; nothing is logged. */
    private static void assertNoHandshake(Optional<Credentials> as) throws Exception {
        long before = server.treeSize();
        for (Route route : HTTP_ROUTES) {
            assertThrows(IOException.class, () -> call(as, route), route.toString());
        }
        try (LedgerClient client = server.client(as)) {
            for (int i = 0; i < GRPC_CALLS.size(); i++) {
                Consumer<Channel> call = GRPC_CALLS.get(i);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.accept(client.channel()), "gRPC call " + i);
                assertTrue(Set.of(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED).contains(e.getStatus().getCode()),
                        "gRPC call " + i + ": " + e.getStatus());
            }
            StatusRuntimeException read = assertThrows(StatusRuntimeException.class,
                    () -> LedgerServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .getCheckpoint(GetCheckpointRequest.getDefaultInstance()));
            assertTrue(Set.of(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED).contains(read.getStatus().getCode()));
        }
        assertEquals(before, server.treeSize());
    }

    @Test
    void noClientCertificate() throws Exception {
        assertNoHandshake(Optional.empty());
    }

    @Test
    void aCertificateFromAnotherCa() throws Exception {
        assertNoHandshake(Optional.of(fromAnotherCa()));
    }

    @Test
    void anExpiredCertificate() throws Exception {
        assertNoHandshake(Optional.of(expired()));
    }

    /** Each route and method answers 403 / PERMISSION_DENIED (or UNAUTHENTICATED) to {@code as}; nothing is logged. */
    private static void assertForbidden(Credentials as, List<Route> routes, List<Consumer<Channel>> calls) throws Exception {
        long before = server.treeSize();
        for (Route route : routes) {
            HttpResponse<String> response = call(Optional.of(as), route);
            assertEquals(403, response.statusCode(), route + ": " + response.body());
        }
        try (LedgerClient client = server.client(Optional.of(as))) {
            for (int i = 0; i < calls.size(); i++) {
                Consumer<Channel> call = calls.get(i);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.accept(client.channel()), "gRPC call " + i);
                assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), "gRPC call " + i + ": " + e.getStatus());
            }
        }
        assertEquals(before, server.treeSize());
    }

    @Test
    void aRevokedAgentIsRefusedEverywhereAlsoOnAConnectionOpenedBefore() throws Exception {
        Credentials victim = authority.spawn("victim");
        String id = AgentAuthority.spiffeId(victim);
        try (LedgerClient before = server.client(Optional.of(victim))) {
            // Before the revocation, the agent may watch the feed and get a JWT-SVID for itself.
            IssuerServiceGrpc.newBlockingStub(before.channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .issueJwtSvid(IssueJwtSvidRequest.newBuilder().setSpiffeId(id).addAudience(AgentAuthority.TOOL).build());
            try (LedgerClient operator = server.operatorClient()) {
                RevocationServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .revoke(RevokeRequest.newBuilder().setRequestId("compromised").setRevocation(Revoked.newBuilder()
                                .setSpiffeId(id).setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE)).build());
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> IssuerServiceGrpc.newBlockingStub(before.channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .issueJwtSvid(IssueJwtSvidRequest.newBuilder().setSpiffeId(id).addAudience(AgentAuthority.TOOL).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().contains("revoked"), e.getStatus().getDescription());
        }
        assertForbidden(victim, HTTP_ROUTES, GRPC_CALLS);
    }

    /** How a revocation names a caller: each target kind of {@code Revoked} that can. */
    enum CallerTarget { SPIFFE_ID, SERIAL, AGENT_INSTANCE, USER }

    /**
     * A revocation of each target kind that names a caller refuses that caller's certificates, also
     * one the log never saw (minted by the bootstrap CA for the same SPIFFE ID), on a connection
     * opened before; the feed's other readers still pass.
     */
    @ParameterizedTest
    @EnumSource(CallerTarget.class)
    void aRevocationOfEachKindThatNamesACallerRefusesIt(CallerTarget kind) throws Exception {
        String name = "target-" + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        Credentials caller = kind == CallerTarget.USER
                ? bootstrapCa(InstantSource.system()).issueClient(SpiffeId.of(AgentAuthority.TD, "user/" + name))
                : authority.spawn(name);
        SpiffeId id = SpiffeId.parse(AgentAuthority.spiffeId(caller));
        Credentials sameIdUnlogged = bootstrapCa(InstantSource.system()).issueClient(id);
        Revoked.Builder target = Revoked.newBuilder().setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE);
        switch (kind) {
            case SPIFFE_ID -> target.setSpiffeId(id.value());
            case SERIAL -> target.setSerial(com.google.protobuf.ByteString.copyFrom(caller.certificate().getSerialNumber().toByteArray()));
            case AGENT_INSTANCE -> target.setAgentInstance(id.path().substring(id.path().lastIndexOf('/') + 1));
            case USER -> target.setUser(dev.agentledger.proto.v1.User.newBuilder()
                    .setIssuer(SpiffeId.ofTrustDomain(AgentAuthority.TD).value()).setSubject(id.value()));
        }
        try (LedgerClient before = server.client(Optional.of(caller))) {
            watch(before.channel()); // allowed to any identity of the trust domain until revoked
            try (LedgerClient operator = server.operatorClient()) {
                RevocationServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .revoke(RevokeRequest.newBuilder().setRequestId(name).setRevocation(target).build());
            }
            assertRevoked(before.channel());
        }
        List<Credentials> refused = kind == CallerTarget.SERIAL ? List.of(caller) : List.of(caller, sameIdUnlogged);
        for (Credentials as : refused) {
            try (LedgerClient client = server.client(Optional.of(as))) {
                assertRevoked(client.channel());
            }
            HttpResponse<String> response = call(Optional.of(as), HTTP_ROUTES.get(0));
            assertEquals(403, response.statusCode(), response.body());
            assertTrue(response.body().contains("revoked"), response.body());
        }
        if (kind == CallerTarget.SERIAL) {
            // A serial names one certificate: another for the same ID is not revoked by it.
            try (LedgerClient other = server.client(Optional.of(sameIdUnlogged))) {
                watch(other.channel());
            }
        }
    }

    private static void watch(Channel channel) {
        RevocationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .watchRevocations(WatchRevocationsRequest.getDefaultInstance()).next();
    }

    private static void assertRevoked(Channel channel) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> watch(channel));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("revoked"), e.getStatus().getDescription());
    }

    /** The right CA, the wrong role: an agent on the user's, approver's, tool's, revoker's and operator's endpoints. */
    @Test
    void anAgentOnEndpointsOfOtherRoles() throws Exception {
        Credentials agent = authority.spawn("nosy");
        List<Consumer<Channel>> calls = grpcCalls(AgentAuthority.spiffeId(authority.spawn("someone-else")));
        List<Route> notForAgents = HTTP_ROUTES.stream().filter(r -> !r.path().equals("/oauth2/token")).toList();
        // Token exchange is open to agents (the chain must name them: see the PoP tests); WatchRevocations to the trust domain.
        assertForbidden(agent, notForAgents, calls.subList(0, 4));
        assertForbidden(agent, List.of(), List.of(calls.get(5)));
    }

    @Test
    void aUserOnEndpointsOfOtherRoles() throws Exception {
        List<Route> notForUsers = HTTP_ROUTES.stream()
                .filter(r -> !r.path().equals("/oauth2/token") && !r.path().equals("/api/v1/delegations")).toList();
        List<Consumer<Channel>> calls = grpcCalls(AgentAuthority.spiffeId(authority.spawn("not-alices")));
        assertForbidden(authority.alice, notForUsers, List.of(calls.get(0), calls.get(1), calls.get(2), calls.get(3), calls.get(5)));
    }

    @Test
    void anIdentityOfAnotherTrustDomainFromTheSameCaMayNotWatchRevocations() throws Exception {
        Credentials stranger = bootstrapCa(InstantSource.system()).issueClient(SpiffeId.of("elsewhere.example", "agent/x/1"));
        assertForbidden(stranger, List.of(), List.of(GRPC_CALLS.get(6)));
    }
}
