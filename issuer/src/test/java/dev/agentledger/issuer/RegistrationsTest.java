package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.WorkloadRegistered;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrationsTest extends IssuerOnLogTest {
    private static final SpiffeId ORCHESTRATOR = SpiffeId.of(TestLog.TRUST_DOMAIN, "orchestrator/k8s");
    private static final SpiffeId ALICE = SpiffeId.of(TestLog.TRUST_DOMAIN, "user/alice");
    private static final Duration HOUR = Duration.ofHours(1);

    private Registrations registrations;

    @BeforeEach
    void setUp() {
        registrations = new Registrations(log.issuer, log.ledger);
    }

    @Test
    void registrationIsLoggedWithTheJoinTokenByIdAndHashOnly() throws Exception {
        LoggedCredential<Registered> logged = registrations.register(ORCHESTRATOR,
                WorkloadSpec.named("invoice-bot").actingFor(ALICE).forTask("INV-7"));
        Registration registration = logged.credential().registration();
        JoinToken token = logged.credential().joinToken();
        assertTrue(registration.spiffeId().value().startsWith("spiffe://agents.example/agent/invoice-bot/"));
        assertEquals(registration.logIndex(), logged.index());

        byte[] stored = log.entryBytes(logged.index());
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(token.token().substring(23)),
                "the join token's secret must never be logged");
        WorkloadRegistered event = LogEntry.parseFrom(stored).getWorkloadRegistered();
        assertEquals(registration.spiffeId().value(), event.getSpiffeId());
        assertEquals(token.id(), event.getJoinTokenId());
        assertArrayEquals(token.sha256(), event.getJoinTokenSha256().toByteArray());
        assertEquals(ORCHESTRATOR.value(), event.getOrchestratorSpiffeId());
        assertEquals(ALICE.value(), event.getActingUser().getSubject());
        assertEquals("INV-7", event.getTask());
        assertEquals(TestLog.START.plusSeconds(60).toEpochMilli(), event.getJoinTokenExpiresUnixMillis());
        assertEquals(Optional.of(registration), registrations.find(registration.spiffeId()));
    }

    @Test
    void joinTokenRedeemsOnceForTheRegisteredId() throws Exception {
        Registered registered = registrations.register(ORCHESTRATOR, WorkloadSpec.named("bot")).credential();
        byte[] csr = Csrs.of(Csrs.p256());
        LoggedCredential<X509Certificate> svid = registrations.redeem(registered.joinToken().token(), csr, HOUR);
        assertEquals(List.of(List.of(6, registered.registration().spiffeId().value())),
                List.copyOf(svid.credential().getSubjectAlternativeNames()).stream().map(List::copyOf).toList());
        LogEntry issued = LogEntry.parseFrom(log.entryBytes(svid.index()));
        assertEquals(registered.registration().agentInstance(), issued.getX509SvidIssued().getAgentInstance());
        LogEntry consumed = LogEntry.parseFrom(log.entryBytes(svid.index() - 1));
        assertEquals(registered.joinToken().id(), consumed.getTokenConsumed().getTokenId());

        IssuanceException replay = assertThrows(IssuanceException.class,
                () -> registrations.redeem(registered.joinToken().token(), csr, HOUR));
        assertEquals(Reason.JOIN_TOKEN_USED, replay.reason());
    }

    @Test
    void replayAfterRestartIsRefused() throws Exception {
        Registered registered = registrations.register(ORCHESTRATOR, WorkloadSpec.named("bot")).credential();
        registrations.redeem(registered.joinToken().token(), Csrs.of(Csrs.p256()), HOUR);
        log.close();
        log = new TestLog(directory);
        Registrations reopened = new Registrations(log.issuer, log.ledger);
        IssuanceException replay = assertThrows(IssuanceException.class,
                () -> reopened.redeem(registered.joinToken().token(), Csrs.of(Csrs.p256()), HOUR));
        assertEquals(Reason.JOIN_TOKEN_USED, replay.reason());
    }

    @Test
    void concurrentRedemptionsSucceedOnce() throws Exception {
        Registered registered = registrations.register(ORCHESTRATOR, WorkloadSpec.named("bot")).credential();
        byte[] csr = Csrs.of(Csrs.p256());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<LoggedCredential<X509Certificate>>> attempts = new ArrayList<>();
            Callable<LoggedCredential<X509Certificate>> redeem = () -> registrations.redeem(registered.joinToken().token(), csr, HOUR);
            for (int i = 0; i < 8; i++) {
                attempts.add(pool.submit(redeem));
            }
            int succeeded = 0;
            for (Future<LoggedCredential<X509Certificate>> attempt : attempts) {
                try {
                    attempt.get();
                    succeeded++;
                } catch (ExecutionException e) {
                    assertEquals(Reason.JOIN_TOKEN_USED, ((IssuanceException) e.getCause()).reason());
                }
            }
            assertEquals(1, succeeded);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void expiredForgedAndMalformedTokensAreRefusedAndNothingIsLogged() throws Exception {
        Registered registered = registrations.register(ORCHESTRATOR, WorkloadSpec.named("bot")).credential();
        String token = registered.joinToken().token();
        byte[] csr = Csrs.of(Csrs.p256());
        long size = log.size();
        String forged = token.substring(0, 23) + (token.charAt(23) == 'A' ? 'B' : 'A') + token.substring(24);
        assertEquals(Reason.JOIN_TOKEN_INVALID, assertThrows(IssuanceException.class, () -> registrations.redeem(forged, csr, HOUR)).reason());
        assertEquals(Reason.JOIN_TOKEN_INVALID, assertThrows(IssuanceException.class, () -> registrations.redeem("garbage", csr, HOUR)).reason());
        assertEquals(Reason.MALFORMED_CSR, assertThrows(IssuanceException.class,
                () -> registrations.redeem(token, new byte[] {1, 2, 3}, HOUR)).reason());
        log.clock.advance(Duration.ofSeconds(60));
        assertEquals(Reason.JOIN_TOKEN_EXPIRED, assertThrows(IssuanceException.class, () -> registrations.redeem(token, csr, HOUR)).reason());
        assertEquals(size, log.size(), "a refused redemption logs nothing");
    }

    @Test
    void orchestratorOrTheInstanceItselfMayObtainCredentials() throws Exception {
        Registration registration = registrations.register(ORCHESTRATOR, WorkloadSpec.named("bot")).credential().registration();
        SpiffeId id = registration.spiffeId();
        byte[] csr = Csrs.of(Csrs.p256());
        registrations.issueX509Svid(ORCHESTRATOR, id, csr, HOUR);
        registrations.issueX509Svid(id, id, csr, HOUR);
        registrations.issueJwtSvid(id, id, List.of("tool:billing"), Duration.ofMinutes(5));

        SpiffeId other = SpiffeId.of(TestLog.TRUST_DOMAIN, "orchestrator/other");
        assertEquals(Reason.NOT_PERMITTED, assertThrows(IssuanceException.class,
                () -> registrations.issueX509Svid(other, id, csr, HOUR)).reason());
        SpiffeId unregistered = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/bot/nobody");
        assertEquals(Reason.NOT_REGISTERED, assertThrows(IssuanceException.class,
                () -> registrations.issueX509Svid(ORCHESTRATOR, unregistered, csr, HOUR)).reason());
        log.clock.advance(WorkloadSpec.DEFAULT_LIFETIME);
        assertEquals(Reason.REGISTRATION_EXPIRED, assertThrows(IssuanceException.class,
                () -> registrations.issueX509Svid(ORCHESTRATOR, id, csr, HOUR)).reason());
    }

    @Test
    void anInstanceIdIsRegisteredOnce() throws Exception {
        WorkloadSpec spec = new WorkloadSpec(WorkloadSpec.Kind.AGENT, "bot", Optional.of("run-1"), "", Optional.empty(), "", List.of(), WorkloadSpec.DEFAULT_LIFETIME);
        registrations.register(ORCHESTRATOR, spec);
        assertEquals(Reason.ALREADY_REGISTERED, assertThrows(IssuanceException.class,
                () -> registrations.register(ORCHESTRATOR, spec)).reason());
    }

    @Test
    void aToolGetsItsNameAsItsId() throws Exception {
        Registration tool = registrations.register(ORCHESTRATOR, WorkloadSpec.tool("billing")).credential().registration();
        assertEquals("spiffe://agents.example/tool/billing", tool.spiffeId().value());
        assertEquals(Reason.ALREADY_REGISTERED, assertThrows(IssuanceException.class,
                () -> registrations.register(ORCHESTRATOR, WorkloadSpec.tool("billing"))).reason());
        assertThrows(IllegalArgumentException.class, () -> new WorkloadSpec(WorkloadSpec.Kind.TOOL, "x", Optional.of("i"), "",
                Optional.empty(), "", List.of(), WorkloadSpec.DEFAULT_LIFETIME));
    }

    @Test
    void badSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.named("Bot"));
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.named(".."));
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> registrations.register(ORCHESTRATOR,
                WorkloadSpec.named("bot").actingFor(SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/alice"))));
    }
}
