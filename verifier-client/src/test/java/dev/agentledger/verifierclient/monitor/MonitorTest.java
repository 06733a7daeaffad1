package dev.agentledger.verifierclient.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.RootMismatchException;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.verifierclient.ForkException;
import dev.agentledger.verifierclient.LogVerifier;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MonitorTest {
    static final String ORIGIN = "example.test/log";

    final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    final SignerKey witness = SignerKey.generate("witness.test", SignatureType.COSIGNATURE_V1);
    final TileLog log = new TileLog(ORIGIN, logKey);
    final AlertCounters counters = new AlertCounters();
    final List<Alert> alerts = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    LogVerifier verifier(int threshold) {
        return LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witness.verifierKey()), threshold);
    }

    MonitorSettings settings(TileFetcher fetcher, int threshold) {
        return MonitorSettings.of(verifier(threshold), fetcher, dir.resolve("state"),
                AlertSink.all(List.of(counters, alerts::add)));
    }

    Monitor open(TileFetcher fetcher) throws Exception {
        return Monitor.open(settings(fetcher, 0));
    }

    static List<byte[]> agents(int from, int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.addAll(Arrays.asList(Entries.agent(i)));
        }
        return out;
    }

    @Test
    void followsTheLogAcrossTileBoundariesAndBuildsTheInventory() throws Exception {
        try (Monitor monitor = open(log)) {
            // sizes chosen to cross bundle boundaries and to start and end on partial bundles
            for (int agentsNow : new int[] {1, 2, 127, 128, 300}) {
                log.append(agents((int) log.size() / 2, agentsNow - (int) log.size() / 2)).publish();
                FollowResult result = monitor.poll();
                assertEquals(log.size(), result.latest().size());
                assertEquals(log.size(), monitor.position());
            }
            assertEquals(0, counters.total(), alerts.toString());
            Inventory inventory = monitor.inventory();
            String id = Entries.TD + "/agent/bot/i200";
            List<InventoryRecord> records = inventory.bySpiffeId(id);
            assertEquals(List.of("workload_registered", "x509_svid_issued"), records.stream().map(InventoryRecord::kind).toList());
            assertEquals(400, records.get(0).index());
            assertEquals(401, records.get(1).index());
            assertEquals("i200", records.get(1).agentInstance());
            assertEquals(1_700_003_600_000L, records.get(1).notAfterMillis());
            // serial 1200 = 0x04b0, DER content octets as BigInteger.toByteArray gives them
            assertEquals(List.of(401L), inventory.bySerial("04B0").stream().map(InventoryRecord::index).toList());
            assertEquals(600, inventory.query(r -> true).size());
            assertEquals(LongStream.range(0, 600).boxed().toList(),
                    inventory.query(r -> true).stream().map(InventoryRecord::index).toList());
        }
    }

    @Test
    void inventoryExportsJsonAndCsv() throws Exception {
        log.append(List.of(Entries.registered(Entries.TD + "/a", "x"), Entries.jwt(Entries.TD + "/a", "jti,\"1\""),
                Entries.revokedSerial(7))).publish();
        try (Monitor monitor = open(log)) {
            monitor.poll();
            assertEquals(1, monitor.inventory().byTokenId("jti,\"1\"").size());
            StringWriter json = new StringWriter();
            monitor.inventory().exportJson(json);
            Object parsed = dev.agentledger.verifierclient.internal.Json.parse(json.toString());
            assertTrue(parsed instanceof List<?> list && list.size() == 3, json.toString());
            StringWriter csv = new StringWriter();
            monitor.inventory().exportCsv(csv);
            String[] rows = csv.toString().split("\r\n");
            assertEquals(4, rows.length, csv.toString());
            assertEquals(InventoryRecord.csvHeader(), rows[0]);
            assertTrue(rows[2].contains(",\"jti,\"\"1\"\"\","), rows[2]);
            assertTrue(rows[3].startsWith("2,1700000000000,revoked,,,07,"), rows[3]);
        }
    }

    @Test
    void restartContinuesFromTheSavedState() throws Exception {
        log.append(agents(0, 150)).publish();
        try (Monitor monitor = open(log)) {
            assertEquals(300, monitor.poll().entriesRead());
        }
        log.append(agents(150, 200)).publish();
        try (Monitor monitor = open(log)) {
            assertEquals(300, monitor.latest().orElseThrow().size());
            assertEquals(400, monitor.poll().entriesRead());
            assertEquals(700, monitor.inventory().query(r -> true).size());
        }
        assertEquals(0, counters.total(), alerts.toString());
    }

    @Test
    void restartInTheMiddleOfACatchUpContinuesFromItsPosition() throws Exception {
        log.append(agents(0, 600)).publish();
        // fails on the fifth of five bundles: four (1024 entries) are read, saved every 256
        int[] bundles = {0};
        TileFetcher failing = path -> {
            if (path.startsWith("tile/entries/") && ++bundles[0] == 5) {
                throw new IOException("connection reset");
            }
            return log.fetch(path);
        };
        try (Monitor monitor = Monitor.open(settings(failing, 0).withSaveEvery(256))) {
            assertThrows(IOException.class, monitor::poll);
            assertTrue(monitor.latest().isEmpty());
        }
        try (Monitor monitor = Monitor.open(settings(log, 0).withSaveEvery(256))) {
            assertEquals(1024, monitor.position());
            FollowResult result = monitor.poll();
            assertEquals(1200, result.latest().size());
            assertEquals(176, result.entriesRead());
            assertEquals(LongStream.range(0, 1200).boxed().toList(),
                    monitor.inventory().query(r -> true).stream().map(InventoryRecord::index).toList());
        }
        assertEquals(0, counters.total(), alerts.toString());
    }

    @Test
    void aFailedCatchUpGoesOnFromWhereItStoppedInTheSameProcess() throws Exception {
        log.append(agents(0, 600)).publish();
        int[] bundles = {0};
        TileFetcher flaky = path -> {
            if (path.startsWith("tile/entries/") && ++bundles[0] % 3 == 0) {
                throw new IOException("connection reset");
            }
            return log.fetch(path);
        };
        try (Monitor monitor = Monitor.open(settings(flaky, 0))) {
            int failures = 0;
            while (monitor.latest().isEmpty()) {
                try {
                    monitor.poll();
                } catch (IOException e) {
                    failures++;
                }
            }
            assertTrue(failures >= 2, "failures " + failures);
            assertEquals(LongStream.range(0, 1200).boxed().toList(),
                    monitor.inventory().query(r -> true).stream().map(InventoryRecord::index).toList());
        }
        assertEquals(0, counters.total(), alerts.toString());
    }

    @Test
    void rootRecomputationCatchesBundlesThatAreNotTheSignedEntries() throws Exception {
        log.append(agents(0, 10)).publish();
        try (Monitor monitor = open(log)) {
            monitor.poll();
            log.append(agents(10, 140)).publish();
            // the tiles and the checkpoint are the log's true ones: only the recomputed root differs
            log.tamper(205, Entries.x509(Entries.TD + "/agent/bot/i102", "i102", 99));
            assertThrows(RootMismatchException.class, monitor::poll);
            assertEquals(1, counters.count(AlertKind.ROOT_MISMATCH));
            assertEquals(20, monitor.latest().orElseThrow().size());
            assertEquals(20, monitor.position());
            assertEquals(20, monitor.inventory().query(r -> true).size(), "unverified records are dropped");
        }
        try (Monitor monitor = open(log)) {
            assertEquals(20, monitor.position());
        }
    }

    @Test
    void rootRecomputationCatchesATamperedFirstCatchUp() throws Exception {
        log.append(agents(0, 3)).publish();
        log.tamper(1, Entries.x509(Entries.TD + "/agent/bot/i0", "i0", 5));
        try (Monitor monitor = open(log)) {
            assertThrows(RootMismatchException.class, monitor::poll);
            assertTrue(monitor.latest().isEmpty());
            assertEquals(0, monitor.inventory().query(r -> true).size());
        }
        assertEquals(1, counters.count(AlertKind.ROOT_MISMATCH));
    }

    /** The monitor holds the log at {@code held}; the log it follows then shows a fork at {@code forked}. */
    @ParameterizedTest(name = "held {0}, forked {1}")
    @CsvSource({"10, 10", "10, 300", "300, 10", "256, 512", "1, 2"})
    void aLogThatSwitchesHistoryIsCaughtWithBothNotes(int held, int forked) throws Exception {
        TileLog fork = new TileLog(ORIGIN, logKey);
        log.appendText("a", Math.max(held, forked));
        fork.appendText("b", Math.max(held, forked));
        TileFetcher[] current = {log};
        TileFetcher switching = path -> current[0].fetch(path);
        log.publish();
        fork.publish();
        try (Monitor monitor = open(switching)) {
            String heldNote = log.note(held);
            monitor.follow(heldNote.getBytes(StandardCharsets.UTF_8));
            current[0] = fork;
            String forkedNote = fork.note(forked);
            ForkException e = assertThrows(ForkException.class,
                    () -> monitor.follow(forkedNote.getBytes(StandardCharsets.UTF_8)));
            assertEquals(heldNote, e.trustedNote());
            assertEquals(forkedNote, e.presentedNote());
            assertEquals(held, monitor.latest().orElseThrow().size());
        }
        assertEquals(1, counters.count(AlertKind.FORK));
        Alert alert = alerts.stream().filter(a -> a.kind() == AlertKind.FORK).findFirst().orElseThrow();
        assertEquals(2, alert.evidence().size());
    }

    @Test
    void theSameHistoryPresentedAgainOrOlderIsNoAlert() throws Exception {
        log.appendText("a", 300).publish();
        try (Monitor monitor = open(log)) {
            monitor.poll();
            assertEquals(0, monitor.follow(log.note(300).getBytes(StandardCharsets.UTF_8)).entriesRead());
            assertEquals(0, monitor.follow(log.note(17).getBytes(StandardCharsets.UTF_8)).entriesRead());
            assertEquals(300, monitor.latest().orElseThrow().size());
        }
        assertEquals(0, counters.count(AlertKind.FORK));
        assertEquals(300, counters.count(AlertKind.MALFORMED_ENTRY), "text entries are not LogEntries");
    }

    @Test
    void checkpointsMustBeSignedByTheLogAndCosignedByK() throws Exception {
        log.append(agents(0, 2)).publish();
        try (Monitor monitor = Monitor.open(settings(log, 1))) {
            assertThrows(VerificationException.class, monitor::poll);
            assertEquals(1, counters.count(AlertKind.CHECKPOINT_INVALID));
            log.publish(witness);
            assertEquals(4, monitor.poll().entriesRead());
            TileLog impostor = new TileLog(ORIGIN, SignerKey.generate(ORIGIN, SignatureType.ED25519));
            impostor.appendText("x", 9).publish(witness);
            assertThrows(VerificationException.class, () -> monitor.follow(impostor.note().getBytes(StandardCharsets.UTF_8)));
            assertEquals(2, counters.count(AlertKind.CHECKPOINT_INVALID));
            assertEquals(4, monitor.latest().orElseThrow().size());
        }
    }

    @Test
    void stateOfAnotherLogIsRefused() throws Exception {
        log.appendText("a", 3).publish();
        try (Monitor monitor = open(log)) {
            monitor.poll();
        }
        SignerKey other = SignerKey.generate(ORIGIN, SignatureType.ED25519);
        MonitorSettings otherLog = MonitorSettings.of(LogVerifier.create(ORIGIN, other.verifierKey(), List.of(), 0),
                log, dir.resolve("state"), counters);
        assertThrows(VerificationException.class, () -> Monitor.open(otherLog));
    }

    @Test
    void damagedStateIsAClearError() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state").resolve(MonitorState.FILE), "something else\n");
        IOException e = assertThrows(IOException.class, () -> open(log));
        assertTrue(e.getMessage().contains("move the state directory away"), e.getMessage());
    }

    @Test
    void progressIsReported() throws Exception {
        log.appendText("a", 600).publish();
        List<Progress> seen = new ArrayList<>();
        try (Monitor monitor = Monitor.open(settings(log, 0).withProgress(seen::add))) {
            monitor.poll();
        }
        Progress last = seen.getLast();
        assertEquals(600, last.position());
        assertEquals(600, last.target());
        assertTrue(last.toString().startsWith("600/600 entries (100.0%)"), last.toString());
        assertFalse(seen.isEmpty());
    }

    @Test
    void stateIsSavedAtomicallyAsText() throws Exception {
        log.appendText("a", 5).publish();
        try (Monitor monitor = open(log)) {
            monitor.poll();
        }
        MonitorState state = MonitorState.load(dir.resolve("state"));
        assertEquals(log.note(5), state.verifiedNote());
        assertEquals(5, state.position().size());
        assertEquals(log.root(5), state.verified().root());
        assertEquals(Files.size(dir.resolve("state").resolve("inventory.jsonl")), state.verifiedInventory());
    }
}
