package dev.agentledger.server.cli;

import dev.agentledger.ledger.DurableFile;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.monitor.AlertCounters;
import dev.agentledger.verifierclient.monitor.AlertRules;
import dev.agentledger.verifierclient.monitor.AlertSink;
import dev.agentledger.verifierclient.monitor.FollowResult;
import dev.agentledger.verifierclient.monitor.Gossip;
import dev.agentledger.verifierclient.monitor.GossipOutcome;
import dev.agentledger.verifierclient.monitor.GossipServer;
import dev.agentledger.verifierclient.monitor.HttpTileFetcher;
import dev.agentledger.verifierclient.monitor.Monitor;
import dev.agentledger.verifierclient.monitor.MonitorSettings;
import dev.agentledger.verifierclient.monitor.ProgressListener;
import dev.agentledger.verifierclient.monitor.StderrAlerts;
import dev.agentledger.verifierclient.monitor.WebhookAlerts;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger monitor}: follows a log through its public tiles, keeps an inventory, alerts and gossips. */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Follows a log through its public C2SP tlog-tiles API only (/checkpoint, /tile/...,",
            "/tile/entries/...), trusting nothing the server says. For each new checkpoint it",
            "checks the log's signature and K witness cosignatures, its consistency with the last",
            "verified checkpoint (a proof computed from the log's tiles), and that the entry",
            "bundles hash to its root; it decodes every entry into an inventory of the identities",
            "that ever existed (SPIFFE IDs, serials, validity, registrations, delegations, tokens,",
            "decisions, revocations, with log indexes), kept in --state so a restart continues.",
            "",
            "Alerts (stderr, and --webhook as JSON): unexpected-id (outside --expect-id),",
            "unregistered-issuance, issuance-to-revoked, malformed-entry, anomaly (a decision the",
            "issuer flagged first_use, rate_spike or off_hours), checkpoint-invalid,",
            "fork, root-mismatch, split-view. Gossip: with --gossip-listen the monitor serves its",
            "latest checkpoint at POST/GET /gossip/v1/checkpoint; each round it exchanges",
            "checkpoints with every --peer and reports a split view with both signed notes",
            "(also written to <state>/evidence/).",
            "",
            "Exit status with --once: 0 caught up with no alert, 2 alerts were raised,",
            "1 the log could not be read or the options are wrong.",
            ""
        })
final class MonitorCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PINNED_KEY = "log.vkey";

    @Spec
    CommandSpec spec;

    @Option(names = "--log", required = true, paramLabel = "URL",
            description = "Base URL of the log's public API, e.g. http://127.0.0.1:8080.")
    String log;

    @Option(names = "--vkey", paramLabel = "VKEY",
            description = "The log's note verifier key (<name>+<id>+<key>, as printed by serve). Pinned in --state on"
                    + " first use; without it the pinned key is used, else the one the log announces (with a warning).")
    String vkey;

    @Option(names = "--origin", paramLabel = "ORIGIN",
            description = "The log's checkpoint origin. Default: the verifier key's name.")
    String origin;

    @Option(names = "--witness", paramLabel = "KEY",
            description = "A witness's cosignature/v1 verifier key (repeatable).")
    List<String> witnesses = new ArrayList<>();

    @Option(names = "--min-cosignatures", paramLabel = "K",
            description = "How many of the --witness keys must cosign each checkpoint (0 allowed). Default: all of them.")
    Integer minCosignatures;

    @Option(names = "--state", paramLabel = "DIR", defaultValue = "monitor-state",
            description = "Directory of the monitor's state, inventory and evidence. Default: ${DEFAULT-VALUE}.")
    Path state;

    @Option(names = "--peer", paramLabel = "URL",
            description = "Base URL of another monitor of this log to gossip with (repeatable).")
    List<String> peers = new ArrayList<>();

    @Option(names = "--gossip-listen", paramLabel = "HOST:PORT",
            description = "Serve this monitor's latest checkpoint to peers on this address (plain HTTP).")
    String gossipListen;

    @Option(names = "--expect-id", paramLabel = "PATTERN",
            description = "An expected SPIFFE ID (repeatable): a glob where * stays within one path segment and **"
                    + " matches anything (spiffe://example.org/agent/**), or re:<regex> for the whole ID.")
    List<String> expectIds = new ArrayList<>();

    @Option(names = "--webhook", paramLabel = "URL",
            description = "POST each alert as JSON to this URL (5 s timeout; failures are reported, not fatal).")
    String webhook;

    @Option(names = "--export", arity = "2", paramLabel = "FORMAT FILE",
            description = "Write the inventory as json or csv to FILE after each round, e.g. --export csv ids.csv.")
    List<String> export = new ArrayList<>();

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between rounds. Default: ${DEFAULT-VALUE}.")
    long interval;

    @Option(names = "--once", description = "Catch up, gossip once, export, and exit.")
    boolean once;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String format = exportFormat();
        HttpTileFetcher fetcher = fetcher();
        LogVerifier verifier = verifier(err);
        AlertRules rules = rules();
        List<URI> peerUris = peerUris();
        InetSocketAddress listen = listenAddress();
        AlertCounters counters = new AlertCounters();
        List<AlertSink> sinks = new ArrayList<>(List.of(new StderrAlerts(err), counters));
        if (webhook != null) {
            try {
                sinks.add(new WebhookAlerts(webhook, Duration.ofSeconds(5), new PrintStream(System.err, true, StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new CliException("--webhook: " + e.getMessage(), e);
            }
        }
        ProgressListener progress = p -> {
            if (p.position() < p.target()) {
                err.println("monitor: catching up: " + p);
                err.flush();
            }
        };
        MonitorSettings settings = new MonitorSettings(verifier, fetcher, state, rules, AlertSink.all(sinks), progress,
                InstantSource.system(), MonitorSettings.DEFAULT_SAVE_EVERY);
        Monitor monitor;
        try {
            monitor = Monitor.open(settings);
        } catch (VerificationException e) {
            throw new CliException("--state " + state + " holds a checkpoint that does not verify with this log's key ("
                    + e.getMessage() + "): it belongs to another log; use another --state directory", e);
        }
        Gossip gossip = Gossip.create(monitor, TIMEOUT);
        GossipServer server = listen == null ? null : GossipServer.start(gossip, listen);
        try (monitor) {
            out.println("Monitoring " + fetcher + " as " + verifier);
            out.println("State: " + state.toAbsolutePath());
            monitor.latest().ifPresent(c -> out.println("Resuming from verified size " + c.size()
                    + (monitor.position() > c.size() ? ", read up to " + monitor.position() : "")));
            if (server != null) {
                out.println("Gossip: " + server.url() + Gossip.PATH.substring(1));
            }
            out.flush();
            boolean readOk;
            while (true) {
                readOk = round(monitor, gossip, peerUris, format, out, err);
                if (once) {
                    break;
                }
                Thread.sleep(Duration.ofSeconds(Math.max(1, interval)));
            }
            if (counters.total() > 0) {
                err.println("monitor: " + counters.total() + " alert(s): " + counters.snapshot());
                err.flush();
                return 2;
            }
            return readOk ? 0 : 1;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** One round: follow the log's checkpoint, gossip with every peer, export. False if the log could not be read. */
    private boolean round(Monitor monitor, Gossip gossip, List<URI> peerUris, String format, PrintWriter out,
            PrintWriter err) throws IOException {
        boolean readOk = true;
        try {
            FollowResult result = monitor.poll();
            if (result.entriesRead() > 0 || once) {
                out.println("verified size " + result.latest().size() + " root " + result.latest().root()
                        + " (" + result.entriesRead() + " new entries, " + result.latest().cosignatures().size()
                        + " cosignatures)");
                out.flush();
            }
        } catch (VerificationException e) {
            // already alerted (stderr, counters, webhook) with the evidence: the round goes on to gossip
            err.flush();
        } catch (IOException e) {
            err.println("monitor: cannot read the log: " + e.getMessage()
                    + (once ? "" : " (retrying in " + interval + " s)"));
            err.flush();
            readOk = false;
        }
        for (URI peer : peerUris) {
            try {
                GossipOutcome outcome = gossip.exchange(peer);
                if (outcome.status() != GossipOutcome.Status.CONSISTENT || once) {
                    err.println("monitor: gossip with " + peer + ": " + outcome.status().name().toLowerCase(java.util.Locale.ROOT)
                            + ": " + outcome.detail());
                    err.flush();
                }
            } catch (IOException e) {
                err.println("monitor: gossip with " + peer + " failed: " + e.getMessage());
                err.flush();
            }
        }
        if (format != null) {
            writeExport(monitor, format, Path.of(export.get(1)));
        }
        return readOk;
    }

    private static void writeExport(Monitor monitor, String format, Path file) throws IOException {
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                if (format.equals("json")) {
                    monitor.inventory().exportJson(writer);
                } else {
                    monitor.inventory().exportCsv(writer);
                }
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private String exportFormat() throws CliException {
        if (export.isEmpty()) {
            return null;
        }
        String format = export.get(0);
        if (!format.equals("json") && !format.equals("csv")) {
            throw new CliException("--export " + format + ": the format is json or csv, e.g. --export csv inventory.csv");
        }
        Path parent = Path.of(export.get(1)).toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new CliException("--export: directory " + parent + " does not exist");
        }
        return format;
    }

    private HttpTileFetcher fetcher() throws CliException {
        try {
            return HttpTileFetcher.create(log, TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new CliException("--log: " + e.getMessage() + " (e.g. --log http://127.0.0.1:8080)", e);
        }
    }

    /** The log verifier from --vkey, the key pinned in --state, or (with a warning) the log's discovery document. */
    private LogVerifier verifier(PrintWriter err) throws CliException, IOException {
        Path pinned = state.resolve(PINNED_KEY);
        String pinnedKey = Files.exists(pinned) ? Files.readString(pinned, StandardCharsets.UTF_8).strip() : null;
        String key = vkey;
        if (key != null && pinnedKey != null && !key.equals(pinnedKey)) {
            throw new CliException("--vkey differs from the key pinned in " + pinned + " (" + pinnedKey
                    + "): this state belongs to another log; use another --state directory");
        }
        if (key == null) {
            key = pinnedKey;
        }
        if (key == null) {
            try {
                key = new PublicLogClient(log).getJson("/.well-known/agentledger").stringValue("log_vkey")
                        .orElseThrow(() -> new CliException("the log's discovery document has no log_vkey: give --vkey"));
            } catch (IOException e) {
                throw new CliException("cannot read the log's key from " + log + "/.well-known/agentledger ("
                        + e.getMessage() + "): give --vkey, or check --log", e);
            }
            err.println("warning: trusting the key the log itself announced, " + key
                    + "; give --vkey to check it independently");
            err.flush();
        }
        VerifierKey logKey;
        List<VerifierKey> witnessKeys = new ArrayList<>();
        try {
            logKey = VerifierKey.parse(key);
        } catch (IllegalArgumentException e) {
            throw new CliException("--vkey: malformed verifier key: " + e.getMessage(), e);
        }
        if (logKey.type() != SignatureType.ED25519) {
            throw new CliException("--vkey " + key + " is a " + logKey.type() + " key, want the log's Ed25519 note key");
        }
        for (String witness : witnesses) {
            try {
                VerifierKey parsed = VerifierKey.parse(witness);
                if (parsed.type() != SignatureType.COSIGNATURE_V1) {
                    throw new CliException("--witness " + witness + " is a " + parsed.type()
                            + " key, want a witness's cosignature/v1 key (witness.vkey)");
                }
                witnessKeys.add(parsed);
            } catch (IllegalArgumentException e) {
                throw new CliException("--witness: malformed verifier key: " + e.getMessage(), e);
            }
        }
        int k = minCosignatures == null ? witnessKeys.size() : minCosignatures;
        LogVerifier verifier;
        try {
            verifier = LogVerifier.create(origin == null ? logKey.name() : origin, logKey, witnessKeys, k);
        } catch (IllegalArgumentException e) {
            throw new CliException("--min-cosignatures/--witness: " + e.getMessage(), e);
        }
        if (pinnedKey == null) {
            Files.createDirectories(state);
            DurableFile.replace(pinned, (key + "\n").getBytes(StandardCharsets.UTF_8), DurableFile.WORLD_READABLE);
        }
        return verifier;
    }

    private AlertRules rules() throws CliException {
        try {
            return AlertRules.create(expectIds);
        } catch (IllegalArgumentException e) {
            throw new CliException("--expect-id: " + e.getMessage(), e);
        }
    }

    private List<URI> peerUris() throws CliException {
        List<URI> uris = new ArrayList<>();
        for (String peer : peers) {
            try {
                URI uri = URI.create(peer.endsWith("/") ? peer : peer + "/");
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an absolute http(s) URL");
                }
                uris.add(uri);
            } catch (IllegalArgumentException e) {
                throw new CliException("--peer " + peer + ": " + e.getMessage() + " (e.g. --peer http://10.0.0.2:7390)", e);
            }
        }
        return uris;
    }

    private InetSocketAddress listenAddress() throws CliException {
        if (gossipListen == null) {
            return null;
        }
        try {
            HostPort address = HostPort.parse(gossipListen);
            return new InetSocketAddress(address.host(), address.port());
        } catch (IllegalArgumentException e) {
            throw new CliException("--gossip-listen: " + e.getMessage(), e);
        }
    }
}
