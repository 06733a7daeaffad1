package dev.agentledger.verifierclient.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.verifierclient.LogVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GossipTest {
    static final String ORIGIN = MonitorTest.ORIGIN;
    final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    final List<Alert> alerts = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    Monitor monitor(String name, TileFetcher log) throws Exception {
        return Monitor.open(MonitorSettings.of(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0), log,
                dir.resolve(name), alerts::add));
    }

    /** Two monitors follow a log that shows each of them another history (same key and origin). */
    @Test
    void splitViewIsCaughtByGossipWithBothNotesAsEvidence() throws Exception {
        TileLog seenByA = new TileLog(ORIGIN, logKey).appendText("a", 300).publish();
        TileLog seenByB = new TileLog(ORIGIN, logKey).appendText("b", 500).publish();
        try (Monitor a = monitor("a", seenByA); Monitor b = monitor("b", seenByB);
                GossipServer serverA = GossipServer.start(Gossip.create(a, Duration.ofSeconds(5)),
                        new InetSocketAddress("127.0.0.1", 0))) {
            a.poll();
            b.poll();
            alerts.clear();
            GossipOutcome outcome = Gossip.create(b, Duration.ofSeconds(5)).exchange(URI.create(serverA.url()));
            // B checks A's size-300 note against its log's tiles of size 500: the proof fails
            assertEquals(GossipOutcome.Status.SPLIT_VIEW, outcome.status(), outcome.detail());
            String evidence = Files.readString(outcome.evidence().orElseThrow());
            assertTrue(evidence.contains(seenByA.note()), evidence);
            assertTrue(evidence.contains(seenByB.note()), evidence);
            // A cannot check B's size 500 against its log yet (its log never showed it 500): unresolved,
            // so the only alert is B's, carrying both signed notes
            assertEquals(List.of(AlertKind.SPLIT_VIEW), alerts.stream().map(Alert::kind).toList());
            assertEquals(List.of(b.latest().orElseThrow().note(), a.latest().orElseThrow().note()),
                    alerts.getFirst().evidence());
        }
    }

    @Test
    void sameSizeDifferentRootIsASplitViewForBothSides() throws Exception {
        TileLog seenByA = new TileLog(ORIGIN, logKey).appendText("a", 40).publish();
        TileLog seenByB = new TileLog(ORIGIN, logKey).appendText("b", 40).publish();
        try (Monitor a = monitor("a", seenByA); Monitor b = monitor("b", seenByB);
                GossipServer serverA = GossipServer.start(Gossip.create(a, Duration.ofSeconds(5)),
                        new InetSocketAddress("127.0.0.1", 0))) {
            a.poll();
            b.poll();
            alerts.clear();
            GossipOutcome outcome = Gossip.create(b, Duration.ofSeconds(5)).exchange(URI.create(serverA.url()));
            assertEquals(GossipOutcome.Status.SPLIT_VIEW, outcome.status());
            assertEquals(2, alerts.stream().filter(x -> x.kind() == AlertKind.SPLIT_VIEW).count(), alerts.toString());
            try (var files = Files.list(dir.resolve("a").resolve("evidence"))) {
                assertEquals(1, files.count());
            }
        }
    }

    @Test
    void oneHistoryAtDifferentSizesIsConsistent() throws Exception {
        TileLog log = new TileLog(ORIGIN, logKey).appendText("a", 100).publish();
        try (Monitor a = monitor("a", log); Monitor b = monitor("b", log)) {
            a.poll();
            log.appendText("a", 300).publish();
            b.poll();
            Gossip gossipA = Gossip.create(a, Duration.ofSeconds(5));
            Gossip gossipB = Gossip.create(b, Duration.ofSeconds(5));
            assertEquals(GossipOutcome.Status.CONSISTENT, gossipA.receive(bytes(gossipB.ownNote().orElseThrow())).status());
            assertEquals(GossipOutcome.Status.CONSISTENT, gossipB.receive(bytes(gossipA.ownNote().orElseThrow())).status());
            assertEquals(GossipOutcome.Status.CONSISTENT, gossipA.receive(bytes(gossipA.ownNote().orElseThrow())).status());
        }
        assertTrue(alerts.stream().noneMatch(x -> x.kind() == AlertKind.SPLIT_VIEW), alerts.toString());
    }

    @Test
    void aPeerAheadOfWhatTheLogServesIsUnresolvedNotAnAlarm() throws Exception {
        TileLog log = new TileLog(ORIGIN, logKey).appendText("a", 100).publish();
        TileLog ahead = new TileLog(ORIGIN, logKey).appendText("a", 400).publish();
        try (Monitor a = monitor("a", log)) {
            a.poll();
            GossipOutcome outcome = Gossip.create(a, Duration.ofSeconds(5)).receive(bytes(ahead.note()));
            assertEquals(GossipOutcome.Status.UNRESOLVED, outcome.status(), outcome.detail());
            log.appendText("a", 300).publish();
            assertEquals(GossipOutcome.Status.CONSISTENT,
                    Gossip.create(a, Duration.ofSeconds(5)).receive(bytes(ahead.note())).status());
        }
        assertTrue(alerts.stream().allMatch(x -> x.kind() == AlertKind.MALFORMED_ENTRY), "text entries only");
    }

    @Test
    void notesNotSignedByTheLogAreRejected() throws Exception {
        TileLog log = new TileLog(ORIGIN, logKey).appendText("a", 10).publish();
        TileLog impostor = new TileLog(ORIGIN, SignerKey.generate(ORIGIN, SignatureType.ED25519)).appendText("x", 10).publish();
        try (Monitor a = monitor("a", log);
                GossipServer server = GossipServer.start(Gossip.create(a, Duration.ofSeconds(5)),
                        new InetSocketAddress("127.0.0.1", 0))) {
            a.poll();
            HttpClient http = HttpClient.newHttpClient();
            URI endpoint = URI.create(server.url()).resolve(Gossip.PATH);
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(endpoint)
                    .POST(HttpRequest.BodyPublishers.ofString(impostor.note())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, posted.statusCode());
            HttpResponse<String> got = http.send(HttpRequest.newBuilder(endpoint).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, got.statusCode());
            assertEquals(log.note(), got.body());
            HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(endpoint)
                    .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, garbage.statusCode());
        }
        assertTrue(alerts.stream().allMatch(x -> x.kind() == AlertKind.MALFORMED_ENTRY), "text entries only");
    }

    private static byte[] bytes(String note) {
        return note.getBytes(StandardCharsets.UTF_8);
    }
}
