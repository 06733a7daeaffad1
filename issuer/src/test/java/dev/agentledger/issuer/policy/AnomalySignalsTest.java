package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.User;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each flag of {@link AnomalySignals}: when it is raised, when it is not, and the memory bound. */
class AnomalySignalsTest {
    private static final Instant MONDAY_10 = Instant.parse("2026-11-23T10:00:00Z");
    private final AnomalySignals signals = new AnomalySignals();

    private static AuthorizationRequest request(String instance, String action, String resource) {
        return AuthorizationRequest.newBuilder()
                .setPrincipalSpiffeId("spiffe://agents.example/agent/research/" + instance)
                .setActingUser(User.newBuilder().setIssuer("spiffe://agents.example").setSubject("spiffe://agents.example/user/alice"))
                .setAction(action)
                .setResource(resource)
                .build();
    }

    @Test
    void aPairIsFirstUseUntilItIsAllowedOnceForAnyInstanceOfTheProgram() {
        AuthorizationRequest read = request("i-1", "docs:read", "tool:wiki");
        assertEquals(Set.of(AnomalySignals.FIRST_USE), signals.observe(read, MONDAY_10));
        assertEquals(Set.of(AnomalySignals.FIRST_USE), signals.observe(read, MONDAY_10), "asking again does not clear it");
        signals.learn(read, MONDAY_10);
        assertEquals(Set.of(), signals.observe(request("i-2", "docs:read", "tool:wiki"), MONDAY_10.plusSeconds(1)));
        assertEquals(Set.of(AnomalySignals.FIRST_USE), signals.observe(request("i-2", "docs:write", "tool:wiki"), MONDAY_10));
        assertEquals(Set.of(AnomalySignals.FIRST_USE), signals.observe(request("i-2", "docs:read", "tool:mail"), MONDAY_10));
    }

    @Test
    void aBurstFarAboveTheProgramsOwnRateIsARateSpike() {
        AuthorizationRequest read = request("i-1", "docs:read", "tool:wiki");
        signals.learn(read, MONDAY_10);
        Instant t = MONDAY_10;
        for (int minute = 0; minute < AnomalySignals.MIN_HISTORY_MINUTES; minute++) {
            assertEquals(Set.of(), signals.observe(read, t));
            t = t.plus(Duration.ofMinutes(1));
        }
        // One a minute so far: the tenth request within this minute is more than five times that.
        for (int i = 1; i < AnomalySignals.MIN_BURST; i++) {
            assertEquals(Set.of(), signals.observe(read, t.plusSeconds(i)), "request " + i);
        }
        assertEquals(Set.of(AnomalySignals.RATE_SPIKE), signals.observe(read, t.plusSeconds(20)));
        assertEquals(Set.of(), signals.observe(read, t.plus(Duration.ofMinutes(1))), "the next minute is quiet again");
    }

    @Test
    void aBurstWithoutHistoryOrAtTheUsualRateIsNoSpike() {
        AuthorizationRequest read = request("i-1", "docs:read", "tool:wiki");
        signals.learn(read, MONDAY_10);
        for (int i = 0; i < 50; i++) {
            assertEquals(Set.of(), signals.observe(read, MONDAY_10.plusMillis(i)), "no history yet");
        }
        AnomalySignals steady = new AnomalySignals();
        steady.learn(read, MONDAY_10);
        for (int minute = 0; minute < 30; minute++) {
            for (int i = 0; i < 20; i++) {
                assertEquals(Set.of(), steady.observe(read, MONDAY_10.plus(Duration.ofMinutes(minute)).plusSeconds(i)));
            }
        }
    }

    @Test
    void anHourTheDelegationWasNeverUsedInIsOffHoursOnceThereIsHistory() {
        AuthorizationRequest read = request("i-1", "docs:read", "tool:wiki");
        Instant day = MONDAY_10;
        for (int n = 0; n < AnomalySignals.MIN_HOUR_SAMPLES - 1; n++) {
            signals.learn(read, day.plus(Duration.ofDays(n)));
        }
        Instant threeAm = Instant.parse("2026-12-30T03:00:00Z");
        assertEquals(Set.of(), signals.observe(read, threeAm), "too few samples to know the usual hours");
        signals.learn(read, day.plus(Duration.ofDays(30)));
        assertEquals(Set.of(AnomalySignals.OFF_HOURS), signals.observe(read, threeAm.plusSeconds(60)));
        assertEquals(Set.of(), signals.observe(read, Instant.parse("2026-12-30T10:30:00Z")));
        AuthorizationRequest otherUser = read.toBuilder().setActingUser(User.newBuilder().setSubject("spiffe://agents.example/user/bob")).build();
        assertEquals(Set.of(), signals.observe(otherUser, threeAm.plusSeconds(120)), "bob's delegation has no history");
    }

    @Test
    void memoryIsBoundedByForgettingTheLeastRecentlyUsedIdentity() {
        AuthorizationRequest first = request("i-1", "docs:read", "tool:wiki");
        signals.learn(first, MONDAY_10);
        for (int n = 0; n < AnomalySignals.MAX_IDENTITIES; n++) {
            signals.learn(AuthorizationRequest.newBuilder().setPrincipalSpiffeId("spiffe://agents.example/tool/t" + n)
                    .setAction("a").setResource("r").build(), MONDAY_10);
        }
        assertEquals(Set.of(AnomalySignals.FIRST_USE), signals.observe(first, MONDAY_10));
    }

    @Test
    void theIdentityIsTheAgentProgramOrTheIdItself() {
        assertEquals("spiffe://td/agent/research", AnomalySignals.identity("spiffe://td/agent/research/i-9"));
        assertEquals("spiffe://td/agent/research", AnomalySignals.identity("spiffe://td/agent/research"));
        assertEquals("spiffe://td/tool/billing", AnomalySignals.identity("spiffe://td/tool/billing"));
    }
}
