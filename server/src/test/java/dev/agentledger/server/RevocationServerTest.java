package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RevocationEvent;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.revocation.CredentialIds;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationCacheConfig;
import dev.agentledger.verifierclient.revocation.RevocationStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Revocation through a real server: who may revoke, the gRPC and SSE feeds, the verifier cache, restarts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationServerTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private RunningServer server;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        server = RunningServer.start(dir);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theOperatorRevokesAndGetsANumberedEventProvenInTheLog() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            RevocationEvent event = revoke(client, Revoked.newBuilder().setDelegationId("op-1")
                    .setRequestedBy("spiffe://evil.example/someone-else"));
            InclusionProof proof = InclusionProof.parse(event.getInclusionProof().getIndex(),
                    event.getInclusionProof().getTreeSize(),
                    event.getInclusionProof().getHashesList().stream().map(ByteString::toByteArray).toList());
            byte[] entry = event.getEntry().toByteArray();
            VerifiedInclusion.verify(entry, Rfc6962.hashLeaf(entry), event.getCheckpoint().toByteArray(), proof,
                    server.logVerifier());
            Revoked logged = LogEntries.parse(entry).getRevoked();
            assertEquals(server.prepared.operatorId().value(), logged.getRequestedBy());
            assertEquals(logged, event.getRevoked());
            assertEquals(List.of("op-1"), event.getAffected().getDelegationIdsList());
            assertEquals(server.server.revocations().lastSequence(), event.getSequence());
        }
    }

    @Test
    void aRevokerMayRevokeAndAnAgentMayNot() throws Exception {
        try (LedgerClient revoker = server.client(Optional.of(issue("revoker/alice", trustDomain())))) {
            assertTrue(revoke(revoker, Revoked.newBuilder().setTokenId("by-revoker")).getSequence() > 0);
        }
        long before = server.treeSize();
        try (LedgerClient agent = server.client(Optional.of(issue("agent/mallory", trustDomain())))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> revoke(agent, Revoked.newBuilder().setTokenId("by-agent")));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("needs role revoker"), e.getStatus().getDescription());
        }
        assertEquals(before, server.treeSize());
    }

    @Test
    void badRequestsAreInvalidAndLogNothing() throws Exception {
        long before = server.treeSize();
        try (LedgerClient client = server.operatorClient()) {
            var stub = RevocationServiceGrpc.newBlockingStub(client.channel());
            for (Revoked bad : List.of(
                    Revoked.newBuilder().setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN).build(),
                    Revoked.newBuilder().setTokenId("t").build(),
                    Revoked.newBuilder().setSpiffeId("not a spiffe id").setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN).build(),
                    Revoked.newBuilder().setTokenId("t").setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN)
                            .setReasonDetail("x".repeat(2000)).build())) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> stub.revoke(RevokeRequest.newBuilder().setRevocation(bad).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
            }
        }
        assertEquals(before, server.treeSize());
    }

    @Test
    void anAgentWatchesOverGrpcAndAnotherTrustDomainMayNot() throws Exception {
        try (LedgerClient client = server.operatorClient();
                LedgerClient agent = server.client(Optional.of(issue("agent/watcher", trustDomain())))) {
            long from = server.server.revocations().lastSequence();
            Iterator<WatchRevocationsResponse> feed = RevocationServiceGrpc.newBlockingStub(agent.channel())
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watchRevocations(WatchRevocationsRequest.newBuilder().setFromSequence(from).build());
            long first = revoke(client, Revoked.newBuilder().setTokenId("watched-1")).getSequence();
            long second = revoke(client, Revoked.newBuilder().setTokenId("watched-2")).getSequence();
            List<Long> sequences = new ArrayList<>();
            boolean heartbeat = false;
            while (sequences.size() < 2 || !heartbeat) {
                WatchRevocationsResponse message = feed.next();
                if (message.hasEvent()) {
                    sequences.add(message.getEvent().getSequence());
                } else if (message.getHeartbeat().getSequence() >= second) {
                    heartbeat = true;
                }
            }
            assertEquals(List.of(first, second), sequences);
        }
        try (LedgerClient stranger = server.client(Optional.of(issue("agent/x", "other.example")))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RevocationServiceGrpc
                    .newBlockingStub(stranger.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .watchRevocations(WatchRevocationsRequest.getDefaultInstance()).next());
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        }
    }

    @Test
    void aWatcherAskingForSeveralEventsGetsWaitingOnesInOneMessageAndAnOldWatcherOnePerMessage() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            long from = server.server.revocations().lastSequence();
            List<RevocationEvent> made = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                made.add(revoke(client, Revoked.newBuilder().setTokenId("several-" + i)));
            }
            // Resuming from before them, the five wait together: one message carries them all.
            Iterator<WatchRevocationsResponse> several = RevocationServiceGrpc.newBlockingStub(client.channel())
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watchRevocations(WatchRevocationsRequest.newBuilder().setFromSequence(from).setSeveralEvents(true).build());
            WatchRevocationsResponse together = several.next();
            assertFalse(together.hasEvent());
            assertEquals(made, together.getEventsList());
            for (RevocationEvent event : together.getEventsList()) {
                InclusionProof proof = InclusionProof.parse(event.getInclusionProof().getIndex(),
                        event.getInclusionProof().getTreeSize(),
                        event.getInclusionProof().getHashesList().stream().map(ByteString::toByteArray).toList());
                byte[] entry = event.getEntry().toByteArray();
                VerifiedInclusion.verify(entry, Rfc6962.hashLeaf(entry), event.getCheckpoint().toByteArray(), proof,
                        server.logVerifier());
            }
            Iterator<WatchRevocationsResponse> old = RevocationServiceGrpc.newBlockingStub(client.channel())
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watchRevocations(WatchRevocationsRequest.newBuilder().setFromSequence(from).build());
            for (RevocationEvent event : made) {
                WatchRevocationsResponse message = old.next();
                assertEquals(event, message.getEvent());
                assertEquals(0, message.getEventsCount());
            }
        }
    }

    /**
     * Many watchers on one HTTP/2 connection and a burst of revocations: every watcher gets every
     * event once and in order, and no stream fails (their concurrent writes once overdrew the
     * connection's flow-control window and Helidon closed it with GOAWAY "Window size too big").
     */
    @Test
    void manyWatchersOnOneConnectionEachGetEveryEventOnceInOrder() throws Exception {
        int watchers = 200;
        int events = 200;
        try (LedgerClient watching = server.operatorClient(); LedgerClient client = server.operatorClient()) {
            long from = server.server.revocations().lastSequence();
            List<List<Long>> seen = new ArrayList<>();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(watchers);
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            for (int w = 0; w < watchers; w++) {
                List<Long> sequences = java.util.Collections.synchronizedList(new ArrayList<>());
                seen.add(sequences);
                RevocationServiceGrpc.newStub(watching.channel()).watchRevocations(
                        WatchRevocationsRequest.newBuilder().setFromSequence(from).setSeveralEvents(true).build(),
                        new io.grpc.stub.StreamObserver<>() {
                            @Override
                            public void onNext(WatchRevocationsResponse message) {
                                List<RevocationEvent> got = message.hasEvent() ? List.of(message.getEvent()) : message.getEventsList();
                                got.forEach(e -> sequences.add(e.getSequence()));
                                if (!got.isEmpty() && sequences.size() == events) {
                                    done.countDown();
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                failed.compareAndSet(null, t);
                                done.countDown();
                            }

                            @Override
                            public void onCompleted() {}
                        });
            }
            var stub = RevocationServiceGrpc.newFutureStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
            List<com.google.common.util.concurrent.ListenableFuture<dev.agentledger.proto.v1.RevokeResponse>> answers = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                answers.add(stub.revoke(RevokeRequest.newBuilder().setRevocation(Revoked.newBuilder().setTokenId("burst-" + i)
                        .setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE)).setRequestId("test").build()));
            }
            for (var answer : answers) {
                answer.get(60, TimeUnit.SECONDS);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "watchers still waiting: " + done.getCount());
            assertNull(failed.get(), () -> "a watch failed: " + failed.get());
            List<Long> expected = java.util.stream.LongStream.rangeClosed(from + 1, from + events).boxed().toList();
            for (List<Long> sequences : seen) {
                assertEquals(expected, List.copyOf(sequences));
            }
        }
    }

    @Test
    void theSseFeedResumesFromLastEventIdAndTheSnapshotListsRevocations() throws Exception {
        long first;
        try (LedgerClient client = server.operatorClient()) {
            first = revoke(client, Revoked.newBuilder().setTokenId("sse-1")).getSequence();
            revoke(client, Revoked.newBuilder().setTokenId("sse-2"));
        }
        HttpResponse<InputStream> response = server.http.send(HttpRequest.newBuilder(
                        URI.create(server.server.publicUrl() + "/api/v1/revocations/events"))
                .header("Last-Event-ID", Long.toString(first)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertEquals("id:" + (first + 1), in.readLine().replace(" ", ""));
            assertEquals("event:revocation", in.readLine().replace(" ", ""));
            String data = in.readLine();
            assertTrue(data.startsWith("data:") && data.contains("\"sequence\":\"" + (first + 1) + "\""), data);
        }
        String snapshot = server.getText("/api/v1/revocations/snapshot");
        assertTrue(snapshot.contains("\"sequence\":\"" + server.server.revocations().lastSequence() + "\""), snapshot);
        assertTrue(snapshot.contains("\"token_id\":\"sse-1\""), snapshot);
        assertEquals(400, server.get("/api/v1/revocations/events?from=abc").statusCode());
        assertEquals(400, server.get("/api/v1/revocations/events?from=999999").statusCode());
    }

    @Test
    void revokingOverHttpsNeedsTheRole() throws Exception {
        String body = "{\"revocation\":{\"token_id\":\"http-1\",\"reason\":\"REVOCATION_REASON_SUPERSEDED\"},\"request_id\":\"h\"}";
        HttpResponse<String> ok = postRevocation(server.operator(), body);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("\"token_ids\":[\"http-1\"]"), ok.body());
        HttpResponse<String> denied = postRevocation(issue("tool/x", trustDomain()), body);
        assertEquals(403, denied.statusCode(), denied.body());
        HttpResponse<String> malformed = postRevocation(server.operator(), "{\"revocation\":");
        assertEquals(400, malformed.statusCode(), malformed.body());
    }

    @Test
    void theVerifierCacheRefusesARevokedDelegationChainWithinTheBoundAndFailsClosedWhenStale() throws Exception {
        AtomicLong offset = new AtomicLong();
        InstantSource clock = () -> Instant.now().plusMillis(offset.get());
        LogVerifier verifier = LogVerifier.create(server.prepared.settings().origin(),
                server.prepared.logKey().verifierKey(), List.of(), 0);
        long day = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
        try (LedgerClient client = server.operatorClient()) {
            grant(client, "cache-root", "", day);
            grant(client, "cache-child", "cache-root", day);
        }
        CredentialIds token = CredentialIds.none().withTokenId("cap-1").withDelegations(List.of("cache-root", "cache-child"))
                .withSpiffeId("spiffe://" + trustDomain() + "/agent/worker");
        try (RevocationCache cache = RevocationCache.create(verifier,
                RevocationCacheConfig.of(server.server.publicUrl()).withClock(clock).withFreshness(BOUND))) {
            cache.start();
            awaitStatus(cache, token, RevocationStatus.NotRevoked.class, Duration.ofSeconds(30));
            long sent = System.nanoTime();
            try (LedgerClient client = server.operatorClient()) {
                revoke(client, Revoked.newBuilder().setDelegationId("cache-child").setCascade(true));
            }
            RevocationStatus.Revoked revoked = assertInstanceOf(RevocationStatus.Revoked.class,
                    awaitStatus(cache, token, RevocationStatus.Revoked.class, BOUND));
            assertEquals("delegation_id cache-child", revoked.id());
            assertTrue(System.nanoTime() - sent < BOUND.toNanos());
            assertInstanceOf(RevocationStatus.NotRevoked.class,
                    cache.check(CredentialIds.none().withDelegations(List.of("cache-root"))));

            offset.addAndGet(BOUND.toMillis() + 5_000);
            cache.close();
            RevocationStatus.Stale stale = assertInstanceOf(RevocationStatus.Stale.class,
                    cache.check(CredentialIds.none().withTokenId("unrelated")));
            assertTrue(stale.reason().contains("freshness bound"), stale.reason());
        }
    }

    @Test
    void aRestartedServerKeepsTheSequence(@TempDir Path dir) throws Exception {
        long second;
        try (RunningServer first = RunningServer.start(dir); LedgerClient client = first.operatorClient()) {
            revoke(client, Revoked.newBuilder().setTokenId("restart-1"));
            second = revoke(client, Revoked.newBuilder().setTokenId("restart-2")).getSequence();
        }
        try (RunningServer again = RunningServer.start(dir); LedgerClient client = again.operatorClient()) {
            assertEquals(second, again.server.revocations().lastSequence());
            assertEquals(second + 1, revoke(client, Revoked.newBuilder().setTokenId("restart-3")).getSequence());
        }
    }

    private static <T extends RevocationStatus> RevocationStatus awaitStatus(RevocationCache cache, CredentialIds ids,
            Class<T> wanted, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        RevocationStatus status = cache.check(ids);
        while (!wanted.isInstance(status) && System.nanoTime() < deadline) {
            Thread.sleep(2);
            status = cache.check(ids);
        }
        return status;
    }

    private static RevocationEvent revoke(LedgerClient client, Revoked.Builder revoked) {
        if (revoked.getReason() == RevocationReason.REVOCATION_REASON_UNSPECIFIED) {
            revoked.setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE);
        }
        return RevocationServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .revoke(RevokeRequest.newBuilder().setRevocation(revoked).setRequestId("test").build()).getEvent();
    }

    private void grant(LedgerClient client, String id, String parent, long notAfter) {
        client.append(LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setDelegationGranted(DelegationGranted.newBuilder().setDelegationId(id).setParentDelegationId(parent)
                        .setChainDepth(parent.isEmpty() ? 1 : 2)
                        .setActingUser(User.newBuilder().setIssuer("https://idp.example").setSubject("alice"))
                        .setDelegateSpiffeId("spiffe://" + trustDomain() + "/agent/worker")
                        .setValidity(Validity.newBuilder().setNotAfterUnixMillis(notAfter)))
                .build(), false);
    }

    private String trustDomain() {
        return server.prepared.settings().trustDomain();
    }

    /** A client identity issued by the server's own bootstrap CA. */
    private Credentials issue(String path, String trustDomain) throws Exception {
        return dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(server.prepared.dir(),
                        server.prepared.passphrase().value(), InstantSource.system()).issueClient(SpiffeId.of(trustDomain, path));
    }

    private HttpResponse<String> postRevocation(Credentials who, String body) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", who.key(), new char[0], who.chain().toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", server.prepared.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("https://localhost:" + server.server.privateAddress().port() + "/api/v1/revocations");
        return https.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
