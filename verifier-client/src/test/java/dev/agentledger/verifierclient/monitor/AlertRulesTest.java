package dev.agentledger.verifierclient.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.verifierclient.LogVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rule fires exactly when it should: every row is a log and the alerts it must raise, no more. */
class AlertRulesTest {
    static final String A = Entries.TD + "/agent/bot/a";
    static final String B = Entries.TD + "/agent/bot/b";
    static final String EVIL = "spiffe://evil.test/agent/x";

    static Stream<Arguments> logs() {
        return Stream.of(
                row("registered then issued", List.of(), List.of(),
                        Entries.registered(A, "a"), Entries.x509(A, "a", 1), Entries.jwt(A, "j1")),
                row("issued without registration", List.of(), List.of("unregistered-issuance@0", "unregistered-issuance@1"),
                        Entries.x509(A, "a", 1), Entries.jwt(A, "j1")),
                row("issued to another ID's registration", List.of(), List.of("unregistered-issuance@1"),
                        Entries.registered(B, "b"), Entries.x509(A, "b", 1)),
                row("issued to an instance not registered under the ID", List.of(), List.of("unregistered-issuance@1"),
                        Entries.registered(A, "a"), Entries.x509(A, "other", 1)),
                row("registration after issuance does not excuse it", List.of(), List.of("unregistered-issuance@0"),
                        Entries.x509(A, "a", 1), Entries.registered(A, "a")),
                row("issued to a revoked ID", List.of(), List.of("issuance-to-revoked@2", "issuance-to-revoked@3",
                        "issuance-to-revoked@4"),
                        Entries.registered(A, "a"), Entries.revokedId(A), Entries.x509(A, "a", 1),
                        Entries.capability(A, "t1"), Entries.delegation(A, "d1")),
                row("issued to a revoked instance", List.of(), List.of("issuance-to-revoked@2"),
                        Entries.registered(A, "a"), Entries.revokedInstance("a"), Entries.x509(A, "a", 1)),
                row("revoked after issuance", List.of(), List.of(),
                        Entries.registered(A, "a"), Entries.x509(A, "a", 1), Entries.revokedId(A)),
                row("another ID revoked", List.of(), List.of(),
                        Entries.registered(A, "a"), Entries.revokedId(B), Entries.revokedSerial(1), Entries.x509(A, "a", 1)),
                row("IDs inside the expected glob", List.of(Entries.TD + "/agent/**"), List.of(),
                        Entries.registered(A, "a"), Entries.x509(A, "a", 1), Entries.revokedSerial(1)),
                row("ID outside the expected glob", List.of(Entries.TD + "/agent/**"),
                        List.of("unexpected-id@0", "unexpected-id@1"),
                        Entries.registered(EVIL, "x"), Entries.x509(EVIL, "x", 1)),
                row("single star stays inside one segment", List.of(Entries.TD + "/agent/*"),
                        List.of("unexpected-id@0"), Entries.registered(A, "a")),
                row("regex pattern", List.of("re:spiffe://example\\.test/agent/bot/[ab]"), List.of("unexpected-id@2"),
                        Entries.registered(A, "a"), Entries.registered(B, "b"), Entries.registered(A + "c", "c")),
                row("no patterns: every ID expected", List.of(), List.of(), Entries.registered(EVIL, "x")),
                row("decisions the issuer flagged as new for their agent", List.of(), List.of("anomaly@2", "anomaly@3"),
                        Entries.registered(A, "a"), Entries.decision(A), Entries.decision(A, "first_use"),
                        Entries.decision(B, "off_hours", "rate_spike")),
                row("malformed entry", List.of(), List.of("malformed-entry@1"),
                        Entries.registered(A, "a"), "not a log entry".getBytes(StandardCharsets.UTF_8)));
    }

    static Arguments row(String name, List<String> patterns, List<String> want, byte[]... entries) {
        return Arguments.of(name, patterns, want, Arrays.asList(entries));
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void rulesFireWhenTheyShouldAndNotOtherwise(String name, List<String> patterns, List<String> want,
            List<byte[]> entries) throws Exception {
        SignerKey key = SignerKey.generate(MonitorTest.ORIGIN, SignatureType.ED25519);
        TileLog log = new TileLog(MonitorTest.ORIGIN, key).append(entries).publish();
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        MonitorSettings settings = MonitorSettings.of(LogVerifier.create(MonitorTest.ORIGIN, key.verifierKey(),
                List.of(), 0), log, dir, alerts::add).withRules(AlertRules.create(patterns));
        try (Monitor monitor = Monitor.open(settings)) {
            monitor.poll();
        }
        List<String> got = new ArrayList<>();
        alerts.forEach(a -> got.add(a.kind().label() + "@" + a.index()));
        assertEquals(want, got, alerts.toString());
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "spiffe://td/agent/*, spiffe://td/agent/x, true",
        "spiffe://td/agent/*, spiffe://td/agent/x/y, false",
        "spiffe://td/agent/**, spiffe://td/agent/x/y, true",
        "spiffe://td/agent/**, spiffe://td/agentx, false",
        "spiffe://td/a.b, spiffe://td/aXb, false",
        "re:spiffe://td/.*, spiffe://td/anything/at/all, true",
        "re:td, spiffe://td/x, false",
    })
    void patterns(String pattern, String id, boolean matches) {
        assertEquals(matches, IdPattern.parse(pattern).matches(id));
    }

    @Test
    void anAnomalyAlertNamesTheFlagsAndTheDecision() throws Exception {
        SignerKey key = SignerKey.generate(MonitorTest.ORIGIN, SignatureType.ED25519);
        TileLog log = new TileLog(MonitorTest.ORIGIN, key).append(List.of(Entries.decision(A, "first_use", "rate_spike"))).publish();
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        MonitorSettings settings = MonitorSettings.of(LogVerifier.create(MonitorTest.ORIGIN, key.verifierKey(), List.of(), 0), log, dir,
                alerts::add);
        try (Monitor monitor = Monitor.open(settings)) {
            monitor.poll();
        }
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals(AlertKind.ANOMALY, alerts.get(0).kind());
        assertTrue(alerts.get(0).toString().contains("first_use rate_spike for " + A), alerts.toString());
    }

    @Test
    void badPatternsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AlertRules.create(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> AlertRules.create(List.of("re:(")));
    }
}
