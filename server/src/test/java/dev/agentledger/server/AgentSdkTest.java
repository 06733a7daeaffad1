package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.agent.Agent;
import dev.agentledger.verifierclient.agent.AgentConfig;
import dev.agentledger.verifierclient.agent.AgentException;
import dev.agentledger.verifierclient.agent.CapabilityRequest;
import dev.agentledger.verifierclient.agent.ExchangeResult;
import dev.agentledger.verifierclient.agent.RenewalTimer;
import dev.agentledger.verifierclient.agent.Sleeper;
import dev.agentledger.verifierclient.agent.Svid;
import dev.agentledger.verifierclient.agent.SvidKeyManager;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationCacheConfig;
import dev.agentledger.verifierclient.svid.X509SvidVerifier;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent SDK against a running authority: join, verification on arrival, renewal driven by a
 * recording timer (no waiting), the key manager's switch to the new SVID, approval waits (approved,
 * denied, timed out on a clock advanced by the sleeper) and the agent stopping once revoked.
 */
class AgentSdkTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    static Path dir;

    static AgentAuthority authority;

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir);
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    /** Renewals scheduled by an agent, run by the test when it chooses. */
    static final class RecordingTimer implements RenewalTimer {
        final List<Runnable> tasks = new ArrayList<>();
        final List<Duration> delays = new ArrayList<>();

        @Override
        public synchronized void schedule(Runnable task, Duration delay) {
            tasks.add(task);
            delays.add(delay);
        }

        synchronized Runnable last() {
            return tasks.get(tasks.size() - 1);
        }
    }

    private static AgentConfig config(RecordingTimer timer) {
        RunningServer server = authority.server;
        return AgentConfig.of(URI.create(server.server.publicUrl()),
                        URI.create("https://localhost:" + server.server.privateAddress().port()),
                        LogVerifier.create(server.prepared.settings().origin(), server.prepared.logKey().verifierKey(), List.of(), 0),
                        AgentAuthority.TD, List.of(server.prepared.caCertificate()))
                .withSvidTtl(TTL)
                .withTimer(() -> timer);
    }

    private static Agent join(String name, AgentConfig config) throws Exception {
        RegisterWorkloadResponse registered = authority.register(name);
        return Agent.join(config, SpiffeId.parse(registered.getSpiffeId()), registered.getJoinToken());
    }

    private static String thumbprintBoundTo(String token) throws Exception {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        int at = payload.indexOf("\"x5t#S256\":\"") + 12;
        return payload.substring(at, payload.indexOf('"', at));
    }

    @Test
    void joinsVerifiesAndSchedulesRenewalAtHalfTheLifetimeWithJitter() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        try (Agent agent = join("sdk-join", config(timer))) {
            Svid svid = agent.svid().orElseThrow();
            assertEquals(agent.spiffeId(), svid.spiffeId());
            assertTrue(svid.spiffeId().value().startsWith("spiffe://agentledger.local/agent/sdk-join/"), svid.toString());
            assertTrue(svid.logIndex() >= 0);
            assertEquals(1, timer.delays.size());
            Duration lifetime = Duration.between(svid.certificate().getNotBefore().toInstant(), svid.notAfter());
            Duration delay = timer.delays.get(0);
            assertTrue(delay.compareTo(lifetime.dividedBy(2)) <= 0, delay + " is later than half of " + lifetime);
            assertTrue(delay.compareTo(lifetime.dividedBy(2).minus(lifetime.dividedBy(10)).minusMinutes(2)) >= 0,
                    delay + " is earlier than half of " + lifetime + " minus the jitter");
            assertTrue(svid.toString().contains(svid.serialHex()) && !svid.toString().contains("key="), svid.toString());
        }
    }

    @Test
    void renewalSwitchesTheKeyManagerAndTheTokensBindToTheNewCertificate() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        try (Agent agent = join("sdk-renew", config(timer))) {
            String chain = authority.delegate(agent.spiffeId().value(), "\"invoices:read\"");
            Svid first = agent.svid().orElseThrow();
            SvidKeyManager keys = agent.keyManager();
            String alias = keys.chooseClientAlias(new String[] {"EC"}, null, null);
            assertEquals(first.certificate(), keys.getCertificateChain(alias)[0]);

            timer.last().run();

            Svid second = agent.svid().orElseThrow();
            assertNotEquals(first.serialHex(), second.serialHex());
            assertNotEquals(first.certificate().getPublicKey(), second.certificate().getPublicKey());
            assertTrue(second.logIndex() > first.logIndex());
            String newAlias = keys.chooseClientAlias(new String[] {"EC"}, null, null);
            assertEquals(second.certificate(), keys.getCertificateChain(newAlias)[0]);
            assertEquals(second.key(), keys.getPrivateKey(newAlias));
            assertEquals(first.certificate(), keys.getCertificateChain(alias)[0], "a handshake under way keeps its pair");
            assertEquals(2, timer.delays.size(), "the new SVID's renewal is scheduled");

            ExchangeResult.Granted granted = assertInstanceOf(ExchangeResult.Granted.class,
                    agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "invoices:read"), Duration.ofSeconds(5)));
            assertEquals(CapabilityClaims.certificateThumbprint(second.certificate().getEncoded()), thumbprintBoundTo(granted.token()));
            ExchangeResult.Granted again = assertInstanceOf(ExchangeResult.Granted.class,
                    agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "invoices:read"), Duration.ofSeconds(5)));
            assertNotEquals(granted.token(), again.token(), "every exchange is a fresh single-use token");
        }
    }

    @Test
    void aFailedRenewalKeepsTheOldSvidAndIsRetried() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        AgentConfig config = config(timer);
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AgentConfig unreachable = new AgentConfig(config.publicUrl(), URI.create("https://localhost:" + closedPort), config.log(),
                config.trustDomain(), config.serverAuthorities(), config.svidTtl(), config.clock(), config.timer(),
                config.sleeper(), config.approvalPoll(), config.revocations(), config.random());
        try (Agent agent = join("sdk-renew-fails", unreachable)) {
            Svid first = agent.svid().orElseThrow();
            assertEquals(AgentException.Reason.UNAVAILABLE, assertThrows(AgentException.class, agent::renew).reason());
            assertEquals(first, agent.svid().orElseThrow());

            timer.last().run();

            assertEquals(first, agent.svid().orElseThrow(), "the old SVID stays until a new one is verified");
            assertEquals(2, timer.delays.size(), "the failed renewal is retried");
            Duration retry = timer.delays.get(1);
            assertTrue(retry.compareTo(Duration.ofSeconds(1)) >= 0 && retry.compareTo(TTL.dividedBy(10)) <= 0, retry.toString());
        }
    }

    @Test
    void refusesAnSvidWhoseProofDoesNotVerifyAgainstThePinnedLogKey() throws Exception {
        SignerKey other = SignerKey.generate(authority.server.prepared.settings().origin(), SignatureType.ED25519);
        AgentConfig config = config(new RecordingTimer());
        AgentConfig wrongLog = new AgentConfig(config.publicUrl(), config.privateUrl(),
                LogVerifier.create(authority.server.prepared.settings().origin(), other.verifierKey(), List.of(), 0),
                config.trustDomain(), config.serverAuthorities(), config.svidTtl(), config.clock(), config.timer(),
                config.sleeper(), config.approvalPoll(), config.revocations(), config.random());
        AgentException refused = assertThrows(AgentException.class, () -> join("sdk-unlogged", wrongLog));
        assertEquals(AgentException.Reason.UNVERIFIED, refused.reason());
        assertTrue(refused.getMessage().contains("refusing the SVID"), refused.getMessage());
    }

    @Test
    void refusesAnSvidForAnotherIdThanExpected() throws Exception {
        RegisterWorkloadResponse registered = authority.register("sdk-wrong-id");
        AgentException refused = assertThrows(AgentException.class, () -> Agent.join(config(new RecordingTimer()),
                SpiffeId.of(AgentAuthority.TD, "agent/someone-else/1"), registered.getJoinToken()));
        assertEquals(AgentException.Reason.UNVERIFIED, refused.reason());
        assertTrue(refused.getMessage().contains("want spiffe://agentledger.local/agent/someone-else/1"), refused.getMessage());
    }

    @Test
    void aSpentJoinTokenIsRefused() throws Exception {
        RegisterWorkloadResponse registered = authority.register("sdk-spent");
        AgentConfig config = config(new RecordingTimer());
        Agent.join(config, SpiffeId.parse(registered.getSpiffeId()), registered.getJoinToken()).close();
        AgentException refused = assertThrows(AgentException.class,
                () -> Agent.join(config, SpiffeId.parse(registered.getSpiffeId()), registered.getJoinToken()));
        assertEquals(AgentException.Reason.REFUSED, refused.reason());
    }

    @Test
    void waitsForAnApproverWhoApproves() throws Exception {
        assertApprovalOutcome("approve", ExchangeResult.Granted.class);
    }

    @Test
    void waitsForAnApproverWhoDenies() throws Exception {
        ExchangeResult.Denied denied = assertInstanceOf(ExchangeResult.Denied.class, assertApprovalOutcome("deny", ExchangeResult.Denied.class));
        assertTrue(denied.reason().contains("rejected"), denied.reason());
        assertTrue(denied.approvalId().isPresent());
    }

    private ExchangeResult assertApprovalOutcome(String verb, Class<? extends ExchangeResult> wanted) throws Exception {
        List<String> decided = new ArrayList<>();
        RecordingTimer timer = new RecordingTimer();
        Agent[] holder = new Agent[1];
        Sleeper approver = duration -> {
            try {
                String id = pendingApprovalOf(holder[0].spiffeId());
                var answer = authority.post(authority.approver, "/api/v1/approvals/" + id + "/" + verb, "application/json", "{}");
                assertEquals(200, answer.statusCode(), answer.body());
                decided.add(id);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        try (Agent agent = join("sdk-pay-" + verb, config(timer).withApprovalPolling(Duration.ofMillis(1), approver))) {
            holder[0] = agent;
            String chain = authority.delegate(agent.spiffeId().value(), "\"payments:send\"");
            ExchangeResult result = agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "payments:send"), Duration.ofMinutes(1));
            assertInstanceOf(wanted, result);
            assertEquals(1, decided.size());
            if (result instanceof ExchangeResult.Granted granted) {
                assertEquals(Optional.of(decided.get(0)), granted.approvalId());
            }
            return result;
        }
    }

    /** The id of the one pending approval {@code agent} asked for, as the approver lists them. */
    private static String pendingApprovalOf(SpiffeId agent) throws Exception {
        var answer = authority.get(authority.approver, "/api/v1/approvals");
        assertEquals(200, answer.statusCode(), answer.body());
        for (var pending : io.helidon.json.JsonParser.create(answer.body()).readJsonObject().arrayValue("pending").orElseThrow().values()) {
            io.helidon.json.JsonObject approval = (io.helidon.json.JsonObject) pending;
            if (approval.stringValue("principal", "").equals(agent.value())) {
                return approval.stringValue("approval_id", "");
            }
        }
        throw new AssertionError("no pending approval of " + agent + " in " + answer.body());
    }

    @Test
    void stopsWaitingAtTheTimeoutOnItsOwnClock() throws Exception {
        AtomicLong advanced = new AtomicLong();
        InstantSource clock = () -> Instant.now().plusMillis(advanced.get());
        Sleeper advance = duration -> advanced.addAndGet(duration.toMillis());
        try (Agent agent = join("sdk-pay-timeout", config(new RecordingTimer()).withClock(clock)
                .withApprovalPolling(Duration.ofSeconds(10), advance))) {
            String chain = authority.delegate(agent.spiffeId().value(), "\"payments:send\"");
            ExchangeResult.TimedOut timedOut = assertInstanceOf(ExchangeResult.TimedOut.class,
                    agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "payments:send"), Duration.ofSeconds(30)));
            assertTrue(advanced.get() > 20_000 && advanced.get() <= 30_000, advanced + " ms of waiting");
            assertTrue(!timedOut.approvalId().isEmpty());
            String id = timedOut.approvalId();
            assertEquals(id, pendingApprovalOf(agent.spiffeId()), "the approval is still pending: the agent only stopped waiting");
        }
    }

    @Test
    void stopsUsingItsIdentityOnceRevoked() throws Exception {
        RunningServer server = authority.server;
        LogVerifier log = LogVerifier.create(server.prepared.settings().origin(), server.prepared.logKey().verifierKey(), List.of(), 0);
        try (RevocationCache feed = RevocationCache.create(log, RevocationCacheConfig.of(server.server.publicUrl()));
                Agent agent = join("sdk-revoked", config(new RecordingTimer()).withRevocations(feed))) {
            feed.start();
            String chain = authority.delegate(agent.spiffeId().value(), "\"invoices:read\"");
            assertInstanceOf(ExchangeResult.Granted.class,
                    agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "invoices:read"), Duration.ofSeconds(5)));
            long before = feed.lastSequence();
            try (LedgerClient operator = server.operatorClient()) {
                RevocationServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .revoke(RevokeRequest.newBuilder().setRequestId("sdk").setRevocation(Revoked.newBuilder()
                                .setSpiffeId(agent.spiffeId().value())
                                .setReason(RevocationReason.REVOCATION_REASON_AGENT_COMPROMISE)).build());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (feed.lastSequence() == before && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(agent.svid().isEmpty(), "a revoked agent has no usable SVID");
            assertNull(agent.keyManager().chooseClientAlias(new String[] {"EC"}, null, null));
            AgentException refused = assertThrows(AgentException.class,
                    () -> agent.exchange(CapabilityRequest.of(chain, AgentAuthority.TOOL, "invoices:read"), Duration.ofSeconds(5)));
            assertEquals(AgentException.Reason.REVOKED, refused.reason());
            assertEquals(AgentException.Reason.REVOKED, assertThrows(AgentException.class, agent::renew).reason());
        }
    }
}
