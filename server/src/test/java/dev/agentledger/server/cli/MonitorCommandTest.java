package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.X509SvidIssued;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.monitor.AlertCounters;
import dev.agentledger.verifierclient.monitor.AlertKind;
import dev.agentledger.verifierclient.monitor.Gossip;
import dev.agentledger.verifierclient.monitor.GossipServer;
import dev.agentledger.verifierclient.monitor.HttpTileFetcher;
import dev.agentledger.verifierclient.monitor.Monitor;
import dev.agentledger.verifierclient.monitor.MonitorSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agentledger monitor} against real servers, one of them a fork signing another history with the same key. */
class MonitorCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpExplainsItself() {
        CliRun help = CliRun.run("monitor", "--help");
        assertEquals(0, help.exit(), help.err());
        for (String want : new String[] {"--log=URL", "--witness=KEY", "--min-cosignatures=K", "--state=DIR", "--peer=URL",
                "--gossip-listen=HOST:PORT", "--expect-id=PATTERN", "--webhook=URL", "--export", "--once", "split-view",
                "Exit status"}) {
            assertTrue(help.out().contains(want), want + " in\n" + help.out());
        }
    }

    @Test
    void badOptionsAreClearErrors() {
        String vkey = SignerKey.generate("example.test/log", SignatureType.ED25519).verifierKey().toString();
        String witness = SignerKey.generate("w", SignatureType.COSIGNATURE_V1).verifierKey().toString();
        String state = dir.resolve("s").toString();
        assertError("--log: ", "monitor", "--log", "ftp://x", "--vkey", vkey, "--state", state);
        assertError("want a witness's cosignature/v1 key", "monitor", "--log", "http://127.0.0.1:1", "--vkey", vkey,
                "--witness", vkey, "--state", state);
        assertError("threshold 2 not in 0..1", "monitor", "--log", "http://127.0.0.1:1", "--vkey", vkey,
                "--witness", witness, "--min-cosignatures", "2", "--state", state);
        assertError("--expect-id: ", "monitor", "--log", "http://127.0.0.1:1", "--vkey", vkey, "--expect-id", "re:(",
                "--state", state);
        assertError("the format is json or csv", "monitor", "--log", "http://127.0.0.1:1", "--vkey", vkey,
                "--export", "xml", "out.xml", "--state", state);
        assertError("cannot read the log: ", "monitor", "--log", "http://127.0.0.1:1", "--vkey", vkey, "--state", state,
                "--once");
        String other = SignerKey.generate("example.test/log", SignatureType.ED25519).verifierKey().toString();
        assertError("differs from the key pinned", "monitor", "--log", "http://127.0.0.1:1", "--vkey", other,
                "--state", state, "--once");
    }

    private static void assertError(String want, String... args) {
        CliRun run = CliRun.run(args);
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(want), "want \"" + want + "\" in: " + run.err());
    }

    /** A server on a fresh data directory; {@code keyFrom} (if given) lends it its settings and log key. */
    private static AgentLedgerServer start(Path data, Optional<DataDir> keyFrom) throws Exception {
        DataDir dataDir = new DataDir(data);
        if (keyFrom.isPresent()) {
            Files.createDirectories(dataDir.logKey().getParent());
            Files.copy(keyFrom.get().settings(), dataDir.settings());
            Files.copy(keyFrom.get().logKey(), dataDir.logKey());
            Files.copy(keyFrom.get().keyPassphrase(), dataDir.keyPassphrase()); // the log key is encrypted with it
            Files.copy(keyFrom.get().logVerifierKey(), dataDir.logVerifierKey());
        }
        Bootstrap.Prepared prepared = Bootstrap.prepare(dataDir, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(dataDir).withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0));
        return AgentLedgerServer.start(config, prepared, InstantSource.system());
    }

    private static void append(AgentLedgerServer server, LogEntry.Builder entry) throws Exception {
        Header header = Header.newBuilder().setSchemaVersion(1).setTimeUnixMillis(System.currentTimeMillis()).build();
        server.ledger().append(LogEntries.serialize(entry.setHeader(header).build()), false).get();
    }

    private static LogEntry.Builder registered(String id, String instance) {
        return LogEntry.newBuilder().setWorkloadRegistered(WorkloadRegistered.newBuilder().setSpiffeId(id)
                .setAgentName("bot").setAgentInstance(instance));
    }

    private static LogEntry.Builder x509(String id, String instance, int serial) {
        return LogEntry.newBuilder().setX509SvidIssued(X509SvidIssued.newBuilder().setSpiffeId(id)
                .setAgentInstance(instance).setSerial(ByteString.copyFrom(new byte[] {(byte) serial})));
    }

    private static String vkey(Path data) throws Exception {
        return Files.readString(new DataDir(data).logVerifierKey()).strip();
    }

    @Test
    void followsARealServerBuildsTheInventoryAndAlerts() throws Exception {
        Path data = dir.resolve("a");
        try (AgentLedgerServer server = start(data, Optional.empty())) {
            String ok = "spiffe://agentledger.local/agent/bot/1";
            append(server, registered(ok, "1"));
            append(server, x509(ok, "1", 17));
            append(server, x509("spiffe://agentledger.local/agent/bot/2", "2", 18));
            Path csv = dir.resolve("inventory.csv");
            String[] args = {"monitor", "--log", server.publicUrl(), "--vkey", vkey(data), "--state",
                dir.resolve("state").toString(), "--once", "--export", "csv", csv.toString(),
                "--expect-id", "spiffe://agentledger.local/agent/**"};
            CliRun first = CliRun.run(args);
            assertEquals(2, first.exit(), first.out() + first.err());
            assertTrue(first.out().contains("verified size " + server.ledger().checkpoint().size()), first.out());
            assertTrue(first.err().contains("ALERT unregistered-issuance at index"), first.err());
            assertTrue(first.err().contains("spiffe://agentledger.local/agent/bot/2, which no earlier entry registered"),
                    first.err());
            assertTrue(!first.err().contains("unexpected-id"), first.err());
            String inventory = Files.readString(csv);
            assertTrue(inventory.contains(",x509_svid_issued," + ok + ",1,11,"), inventory);
            assertTrue(inventory.contains(",key_published,"), inventory);

            append(server, registered("spiffe://elsewhere.test/x", "x"));
            CliRun second = CliRun.run(args);
            assertTrue(second.out().contains("Resuming from verified size"), second.out());
            assertTrue(second.out().contains("(1 new entries"), second.out());
            assertEquals(2, second.exit(), second.err());
            assertTrue(second.err().contains("ALERT unexpected-id"), second.err());
            assertTrue(!second.err().contains("unregistered-issuance"), "old entries are not read again: " + second.err());
        }
    }

    /** Two servers with the same key and origin sign diverging histories: a fork. */
    @Test
    void aForkedLogIsCaughtByGossipAndByTheMonitorWithBothNotes() throws Exception {
        Path dataA = dir.resolve("log-a");
        Path dataB = dir.resolve("log-b");
        try (AgentLedgerServer a = start(dataA, Optional.empty());
                AgentLedgerServer b = start(dataB, Optional.of(new DataDir(dataA)))) {
            String vkey = vkey(dataA);
            assertEquals(vkey, vkey(dataB));
            for (int i = 0; i < 3; i++) {
                append(a, registered("spiffe://agentledger.local/agent/a/" + i, "a" + i));
            }
            for (int i = 0; i < 5; i++) {
                append(b, registered("spiffe://agentledger.local/agent/b/" + i, "b" + i));
            }
            String noteA = a.ledger().checkpoint().note();
            String noteB = b.ledger().checkpoint().note();

            // monitor A (library) follows A and serves gossip; monitor B (the command) follows B and gossips with A
            AlertCounters countersA = new AlertCounters();
            LogVerifier verifier = LogVerifier.create(dev.agentledger.merkle.note.VerifierKey.parse(vkey).name(),
                    dev.agentledger.merkle.note.VerifierKey.parse(vkey), List.of(), 0);
            try (Monitor monitorA = Monitor.open(MonitorSettings.of(verifier,
                    HttpTileFetcher.create(a.publicUrl(), Duration.ofSeconds(5)), dir.resolve("monitor-a"), countersA));
                    GossipServer gossipA = GossipServer.start(Gossip.create(monitorA, Duration.ofSeconds(5)),
                            new InetSocketAddress("127.0.0.1", 0))) {
                monitorA.poll();
                CliRun gossip = CliRun.run("monitor", "--log", b.publicUrl(), "--vkey", vkey, "--state",
                        dir.resolve("monitor-b").toString(), "--peer", gossipA.url(), "--once");
                assertEquals(2, gossip.exit(), gossip.out() + gossip.err());
                assertTrue(gossip.err().contains("ALERT split-view"), gossip.err());
                assertTrue(gossip.err().contains(noteA), "A's signed note as evidence: " + gossip.err());
                assertTrue(gossip.err().contains(noteB), "B's signed note as evidence: " + gossip.err());
                try (var evidence = Files.list(dir.resolve("monitor-b").resolve("evidence"))) {
                    String text = Files.readString(evidence.findFirst().orElseThrow());
                    assertTrue(text.contains(noteA) && text.contains(noteB), text);
                }
                assertEquals(0, countersA.count(AlertKind.FORK));
            }

            // one monitor that follows A, then is shown B's history at the same URL's place
            Path state = dir.resolve("monitor-switch");
            CliRun onA = CliRun.run("monitor", "--log", a.publicUrl(), "--vkey", vkey, "--state", state.toString(), "--once");
            assertEquals(0, onA.exit(), onA.out() + onA.err());
            CliRun onB = CliRun.run("monitor", "--log", b.publicUrl(), "--state", state.toString(), "--once");
            assertEquals(2, onB.exit(), onB.out() + onB.err());
            assertTrue(onB.err().contains("ALERT fork"), onB.err());
            assertTrue(onB.err().contains(noteA) && onB.err().contains(noteB), onB.err());
        }
    }
}
