package dev.agentledger.bench;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.server.proxy.ActionProxy;
import dev.agentledger.server.proxy.ProxyConfig;
import dev.agentledger.server.proxy.SecretStore;
import dev.agentledger.verifierclient.guard.LogProof;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The action proxy's cost per call: the same GET to a small upstream (a Helidon server answering
 * 40 bytes of JSON), called directly and through the proxy in the same run, one caller (latency
 * p50/p99) and several (throughput). Each proxied call carries a fresh capability token with its
 * log proof, minted beforehand in batches (tokens live 30 s); the proxy checks everything a real
 * deployment does (SVID, token, revocation, log proof, single use at the authority), injects a
 * stored secret and forwards over HTTP/1.1. Two proxies run side by side: one with a call journal
 * (the token is spent and the call recorded durably in the proxy's journal before forwarding, the
 * record logged asynchronously after the answer) and one without (the token spent at the
 * authority and the record appended to the log before the answer). Proxies, upstream and callers
 * share this process; the authority runs here too ({@code same}, the default) or, as on another
 * machine, as {@code agentledger serve} in a child JVM ({@code separate}), whose CPU time is then
 * reported on its own. With a port base, the upstream, the authority's public and private
 * listeners and the two proxies listen on that port and the four after it (else on free ports).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.agentledger.bench.ProxyLoad [calls] [callers] [dir] [same|separate] [port base]
 * </pre>
 */
public final class ProxyLoad {
    private static final String TD = "agentledger.local";
    private static final String TOOL = "spiffe://agentledger.local/tool/billing";
    private static final int BATCH = 400;
    private static final int MINTERS = 8;
    private static final int MAX_WARM_UP_ROUNDS = 30;
    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final java.time.format.DateTimeFormatter WINDOW = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private ProxyLoad() {}

    /** A token, its log proof header, and how long that header would be as the whole public API JSON (decoded entry too). */
    private record Minted(String token, String proof, int wholeJsonHeaderChars) {}

    /** Mints capability tokens for the bench agent: its mTLS client of the private listener, its delegation chain. */
    private record Minter(HttpClient client, String chain, String privateUrl, String publicUrl) {}

    /** The authority the bench talks to: in this process, or {@code serve} in a child JVM (as on another machine). */
    private interface Authority extends AutoCloseable {
        String publicUrl();

        HostPort privateAddress();

        /** The child process's id; empty when the authority runs in this process. */
        Optional<Long> pid();

        @Override
        void close() throws Exception;

        static Authority inProcess(DataDir data, Bootstrap.Prepared prepared, int publicPort, int privatePort) throws Exception {
            AgentLedgerServer server = AgentLedgerServer.start(ServerConfig.of(data).withAddresses(
                    new HostPort("127.0.0.1", publicPort), new HostPort("127.0.0.1", privatePort)), prepared, InstantSource.system());
            return new Authority() {
                @Override
                public String publicUrl() {
                    return server.publicUrl();
                }

                @Override
                public HostPort privateAddress() {
                    return server.privateAddress();
                }

                @Override
                public Optional<Long> pid() {
                    return Optional.empty();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }

        /** {@code agentledger serve} over {@code data} in a child JVM started as the launcher starts it (its output in {@code dir}), once it listens. */
        static Authority child(DataDir data, Path dir, int publicPort, int privatePort) throws Exception {
            Path out = dir.resolve("authority.out");
            Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:MaxTenuringThreshold=1", "-cp", System.getProperty("java.class.path"),
                    dev.agentledger.server.cli.Main.class.getName(), "serve", "--data", data.root().toString(),
                    "--public-addr", "127.0.0.1:" + publicPort, "--private-addr", "127.0.0.1:" + privatePort)
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("authority.err").toFile()).start();
            long deadline = System.nanoTime() + 180_000_000_000L;
            String report = "";
            while (!report.contains("Press Ctrl-C to stop.")) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the authority did not start: " + report + Files.readString(dir.resolve("authority.err")));
                }
                Thread.sleep(20);
                report = Files.readString(out);
            }
            List<String> lines = report.lines().toList();
            HostPort publicAddress = HostPort.parse(after(lines, "Public read API http://"));
            HostPort privateAddress = HostPort.parse(after(lines, "Private append API (gRPC, mTLS) "));
            return new Authority() {
                @Override
                public String publicUrl() {
                    return "http://" + publicAddress;
                }

                @Override
                public HostPort privateAddress() {
                    return privateAddress;
                }

                @Override
                public Optional<Long> pid() {
                    return Optional.of(process.pid());
                }

                @Override
                public void close() throws InterruptedException {
                    process.destroy();
                    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                }
            };
        }

        private static String after(List<String> lines, String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no line " + prefix + " in " + lines)).substring(prefix.length()).trim();
        }
    }

    /** The upstream's one route, served plain and over mutual TLS alike: 40 B of JSON naming the invoice. */
    private static final Handler INVOICE = (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json")
            .send("{\"invoice\":\"" + req.path().pathParameters().get("id") + "\",\"amount\":\"120.00\"}");

    /** Port {@code offset} from {@code base}, or 0 (any free port) when {@code base} is 0. */
    private static int port(int base, int offset) {
        return base == 0 ? 0 : base + offset;
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = args.length > 2 ? Path.of(args[2]) : Scratch.directory("proxy-load");
        boolean separate = args.length > 3 && args[3].equals("separate");
        if (args.length > 3 && !separate && !args[3].equals("same")) {
            throw new IllegalArgumentException("the authority runs 'same' (in this process) or 'separate', not " + args[3]);
        }
        int ports = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        DataDir data = new DataDir(dir.resolve("authority"));
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        WebServer upstreamTls = null;
        WebServer upstream = WebServer.builder().shutdownHook(false).host("127.0.0.1").port(port(ports, 0))
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .routing(r -> r.get("/invoices/{id}", INVOICE))
                .build().start();
        try (Authority server = separate ? Authority.child(data, dir, port(ports, 1), port(ports, 2))
                : Authority.inProcess(data, prepared, port(ports, 1), port(ports, 2))) {
            System.out.println(separate ? "authority in its own process (pid " + server.pid().orElseThrow() + ")"
                    : "authority in this process");
            Credentials operator = dev.agentledger.server.bootstrap.Bootstrap.operator(data);
            Credentials tool = register(server, prepared, operator, RegisterWorkloadRequest.newBuilder().setAgentName("billing").setTool(true).build());
            Credentials agent = register(server, prepared, operator, RegisterWorkloadRequest.newBuilder().setAgentName("bench")
                    .setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
            Credentials alice = Bootstrap.certificateAuthority(data, prepared.passphrase().value(), InstantSource.system())
                    .issueClient(SpiffeId.of(TD, "user/alice"));
            tool.write(dir.resolve("tool-key.pem"), dir.resolve("tool.pem"));
            char[] passphrase = "proxy-load passphrase".toCharArray();
            SecretStore secrets = SecretStore.open(dir.resolve("secrets.enc"), passphrase, true);
            secrets.put("billing-api-key", "sk-bench-0123456789".getBytes(StandardCharsets.UTF_8));
            ProxyConfig synchronous = new ProxyConfig("127.0.0.1:" + port(ports, 4),
                    new ProxyConfig.Identity(dir.resolve("tool.pem").toString(), dir.resolve("tool-key.pem").toString()),
                    new ProxyConfig.Authority(server.publicUrl(), "https://localhost:" + server.privateAddress().port(),
                            data.caCertificate().toString(), TD, prepared.logKey().verifierKey().toString(), null, null),
                    new ProxyConfig.Secrets(dir.resolve("secrets.enc").toString(), null),
                    List.of(new ProxyConfig.Upstream(TOOL, "/billing", "http://127.0.0.1:" + upstream.port(), null,
                            List.of(new ProxyConfig.Route("GET", "/invoices/{id}", "invoices:read", null, null)),
                            new ProxyConfig.Injection("billing-api-key", "Authorization", "Bearer {secret}"), null, null, null)),
                    null);
            ProxyConfig journaled = new ProxyConfig("127.0.0.1:" + port(ports, 3), synchronous.identity(), synchronous.authority(),
                    synchronous.secrets(), synchronous.upstreams(), dir.resolve("proxy").toString());
            try (ActionProxy proxy = ActionProxy.start(journaled, Optional.of(secrets), InstantSource.system());
                    ActionProxy waiting = ActionProxy.start(synchronous, Optional.of(secrets), InstantSource.system())) {
                while (!proxy.revocationFeedFresh() || !waiting.revocationFeedFresh()) {
                    Thread.sleep(20);
                }
                String privateUrl = "https://localhost:" + server.privateAddress().port();
                Minter minter = new Minter(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(TlsContexts.of(List.of(prepared.caCertificate()), Optional.of(agent))).build(),
                        delegate(privateUrl, prepared, alice, spiffeId(agent)), privateUrl, server.publicUrl());
                SpiffeBundle bundle = SpiffeBundle.parse(get(server.publicUrl() + "/api/v1/bundle"), TD);
                // The same upstream served over mutual TLS with the tool's own SVID: calling it directly is the floor
                // of what TLS alone costs the callers (an upstream such as a SaaS API is called over TLS anyway).
                upstreamTls = WebServer.builder().shutdownHook(false).host("127.0.0.1").port(port(ports, 5))
                        .featuresDiscoverServices(false)
                        .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                        .tls(Tls.builder().privateKey(tool.key()).privateKeyCertChain(tool.chain())
                                .trust(bundle.x509Authorities()).clientAuth(TlsClientAuth.REQUIRED).build())
                        .routing(r -> r.get("/invoices/{id}", INVOICE))
                        .build().start();
                HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpClient proxied = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(TlsContexts.forSpiffePeer(bundle, TOOL, agent)).build();
                String directUrl = "http://127.0.0.1:" + upstream.port() + "/invoices/";
                String directTlsUrl = "https://localhost:" + upstreamTls.port() + "/invoices/";
                String journalUrl = "https://localhost:" + proxy.port() + "/billing/invoices/";
                String waitingUrl = "https://localhost:" + waiting.port() + "/billing/invoices/";
                System.out.printf(Locale.ROOT, "%d calls per row, %d cores; warming up until the JIT compiler is quiet%n", calls,
                        Runtime.getRuntime().availableProcessors());
                // Rounds of every path at both concurrencies until one round's JIT compilation takes under 2 % of its wall
                // time: with a fixed short warm-up, C2 still took most of a core through the first minute of measured rows
                // (over 20,000 methods compiled in all), inflating both their latency and their CPU per call.
                WarmUp.untilJitQuiet(() -> {
                    for (int concurrency : new int[] {1, callers}) {
                        run("warm-up", direct, directUrl, Math.min(calls, 500), concurrency, Optional.empty(), server.pid());
                        run("warm-up", proxied, directTlsUrl, Math.min(calls, 500), concurrency, Optional.empty(), server.pid());
                        run("warm-up", proxied, journalUrl, Math.min(calls, BATCH), concurrency, Optional.of(minter), server.pid());
                        run("warm-up", proxied, waitingUrl, Math.min(calls, BATCH), concurrency, Optional.of(minter), server.pid());
                    }
                }, JIT::getTotalCompilationTime, () -> System.nanoTime() / 1_000_000, "the round", 0.02, MAX_WARM_UP_ROUNDS);
                while (proxy.unshipped() > 0) { // the warm-up's records, logged in the background, would load the first rows
                    Thread.sleep(1);
                }
                System.out.println("mode | callers | direct p50 / p99 | direct calls/s | direct mTLS p50 / p99 | direct mTLS calls/s"
                        + " | proxy p50 / p99 | proxy calls/s | overhead p50 (vs direct mTLS)"
                        + " | throughput vs direct (vs direct mTLS) | CPU per call direct / proxy | authority CPU per call direct / proxy"
                        + " | records logged after the last call");
                for (int concurrency : new int[] {1, callers}) {
                    double[] d = run("direct", direct, directUrl, calls, concurrency, Optional.empty(), server.pid());
                    double[] t = run("direct-mtls", proxied, directTlsUrl, calls, concurrency, Optional.empty(), server.pid());
                    double[] p = run("journal", proxied, journalUrl, calls, concurrency, Optional.of(minter), server.pid());
                    long drained = System.nanoTime();
                    while (proxy.unshipped() > 0) {
                        Thread.sleep(1);
                    }
                    double drainMs = (System.nanoTime() - drained) / 1e6;
                    double[] w = run("synchronous", proxied, waitingUrl, calls, concurrency, Optional.of(minter), server.pid());
                    row("journal", concurrency, d, t, p, String.format(Locale.ROOT, "%.0f ms", drainMs));
                    row("synchronous", concurrency, d, t, w, "before the answer");
                }
                System.out.printf(Locale.ROOT, "floor, same run: one logged append over gRPC as the tool, p50 %.3f ms (a synchronous"
                        + " proxied call waits for two: the token's consumption and the call's record)%n", appendP50(server, prepared, tool));
                System.out.printf(Locale.ROOT, "floor, same run: one synced RocksDB write of 256 B, p50 %.3f ms (a journaled proxied"
                        + " call waits for one, shared with concurrent calls)%n", syncedWriteP50(dir.resolve("floor")));
            }
        } finally {
            upstream.stop();
            if (upstreamTls != null) {
                upstreamTls.stop();
            }
        }
    }

    private static void row(String mode, int callers, double[] direct, double[] directTls, double[] proxy, String logged) {
        System.out.printf(Locale.ROOT, "%s | %d | %.3f / %.2f ms | %,.0f | %.3f / %.2f ms | %,.0f | %.3f / %.2f ms | %,.0f | %.3f ms"
                + " (%.3f ms) | %.2fx (%.2fx) | %.0f / %,.0f µs | %s | %s%n",
                mode, callers, direct[0], direct[1], direct[2], directTls[0], directTls[1], directTls[2], proxy[0], proxy[1], proxy[2],
                proxy[0] - direct[0], proxy[0] - directTls[0], proxy[2] / direct[2], proxy[2] / directTls[2],
                direct[3], proxy[3], Double.isNaN(proxy[4]) ? "in this process"
                        : String.format(Locale.ROOT, "%.0f / %,.0f µs", direct[4], proxy[4]), logged);
    }

    /**
     * {@code calls} GETs by {@code concurrency} callers; with a {@code minter}, each with a
     * fresh token minted (unmeasured) in batches. Returns p50 ms, p99 ms, calls per second,
     * this process's CPU time per call in µs (every thread: callers, proxy, upstream, and the authority
     * when it runs here; unlike wall time, it hardly depends on what else the machine runs) and the
     * {@code authority} process's CPU time per call in µs (NaN when it runs in this process).
     * Prints each measured window's wall-clock times to stderr ({@code window <label> <concurrency>
     * <from> <to>}), to select a profile's samples of that window.
     */
    private static double[] run(String label, HttpClient client, String url, int calls, int concurrency, Optional<Minter> minter,
            Optional<Long> authority) throws Exception {
        long[] latencies = new long[calls];
        long measured = 0;
        long cpu = 0;
        long authorityCpu = 0;
        int done = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            while (done < calls) {
                int batch = Math.min(minter.isEmpty() ? calls : BATCH, calls - done);
                List<Minted> tokens = minter.isEmpty() ? List.of() : mint(pool, minter.get(), batch);
                if (done == 0 && !tokens.isEmpty()) {
                    System.err.println("headers " + label + " " + concurrency + ": token " + tokens.get(0).token().length()
                            + " chars, log proof " + tokens.get(0).proof().length() + " chars (the whole API JSON would be "
                            + tokens.get(0).wholeJsonHeaderChars() + ")");
                }
                AtomicInteger next = new AtomicInteger();
                int offset = done;
                java.time.LocalTime started = java.time.LocalTime.now();
                long cpuStart = CPU.getProcessCpuTime();
                long authorityStart = authority.map(RevocationFanout::cpuNanos).orElse(0L);
                long start = System.nanoTime();
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < concurrency; w++) {
                    workers.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < batch; i = next.getAndIncrement()) {
                            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + (offset + i)));
                            if (!tokens.isEmpty()) {
                                request.header("Authorization", "Bearer " + tokens.get(i).token()).header(LogProof.HEADER, tokens.get(i).proof());
                            }
                            long t0 = System.nanoTime();
                            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                            latencies[offset + i] = System.nanoTime() - t0;
                            if (response.statusCode() != 200) {
                                throw new IllegalStateException("call " + (offset + i) + " answered " + response.statusCode() + ": " + response.body());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> worker : workers) {
                    worker.get();
                }
                measured += System.nanoTime() - start;
                cpu += CPU.getProcessCpuTime() - cpuStart;
                authorityCpu += authority.map(RevocationFanout::cpuNanos).orElse(0L) - authorityStart;
                System.err.println("window " + label + " " + concurrency + " " + WINDOW.format(started) + " "
                        + WINDOW.format(java.time.LocalTime.now()));
                done += batch;
            }
        }
        Arrays.sort(latencies);
        return new double[] {latencies[calls / 2] / 1e6, latencies[(int) (calls * 0.99)] / 1e6, calls / (measured / 1e9),
            cpu / 1e3 / calls, authority.isEmpty() ? Double.NaN : authorityCpu / 1e3 / calls};
    }

    /** p50 in ms of 300 sequential ToolCallRecorded appends as {@code tool} (durable, in a signed checkpoint, proven). */
    private static double appendP50(Authority server, Bootstrap.Prepared prepared, Credentials tool) throws Exception {
        long[] latencies = new long[300];
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(tool))) {
            for (int i = 0; i < latencies.length; i++) {
                LogEntry entry = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                        .setToolCallRecorded(ToolCallRecorded.newBuilder().setUpstream(TOOL).setMethod("GET").setPath("/floor/" + i)).build();
                long t0 = System.nanoTime();
                client.append(entry, false);
                latencies[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(latencies);
        return latencies[latencies.length / 2] / 1e6;
    }

    /** p50 in ms of 300 sequential synced RocksDB puts of 256 bytes: the journal's write, alone. */
    private static double syncedWriteP50(Path dir) throws Exception {
        long[] latencies = new long[300];
        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.Options options = new org.rocksdb.Options().setCreateIfMissing(true);
                org.rocksdb.WriteOptions synced = new org.rocksdb.WriteOptions().setSync(true);
                org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(options, dir.toString())) {
            byte[] value = new byte[256];
            for (int i = 0; i < latencies.length; i++) {
                long t0 = System.nanoTime();
                db.put(synced, ("call-" + i).getBytes(StandardCharsets.US_ASCII), value);
                latencies[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(latencies);
        return latencies[latencies.length / 2] / 1e6;
    }

    /**
     * Mints {@code count} tokens with {@value #MINTERS} concurrent exchanges over HTTP/1.1 (a burst
     * of hundreds of streams on one HTTP/2 connection was cut off by the server under load); an
     * exchange that fails in transit is made again (a new token: nothing is spent by minting).
     */
    private static List<Minted> mint(ExecutorService pool, Minter minter, int count) throws Exception {
        Minted[] minted = new Minted[count];
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < MINTERS; w++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    for (int attempt = 1; minted[i] == null; attempt++) {
                        try {
                            minted[i] = mintOne(minter);
                        } catch (java.io.IOException e) {
                            if (attempt == 3) {
                                throw e;
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        return List.of(minted);
    }

    private static Minted mintOne(Minter minter) throws Exception {
        HttpResponse<String> answer = minter.client().send(HttpRequest.newBuilder(URI.create(minter.privateUrl() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                        + "&subject_token=" + enc(minter.chain()) + "&subject_token_type="
                        + enc("urn:agentledger:params:oauth:token-type:delegation-chain")
                        + "&resource=" + enc(TOOL) + "&scope=" + enc("invoices:read")))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("token exchange answered " + answer.statusCode() + ": " + answer.body());
        }
        JsonObject token = JsonParser.create(answer.body()).readJsonObject();
        long index = token.objectValue("agentledger_log").orElseThrow().longValue("index", -1);
        HttpResponse<String> entry = minter.client().send(HttpRequest.newBuilder(URI.create(minter.publicUrl() + "/api/v1/entries/" + index))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (entry.statusCode() != 200) {
            throw new IllegalStateException("entry " + index + " answered " + entry.statusCode() + ": " + entry.body());
        }
        int whole = (entry.body().getBytes(StandardCharsets.UTF_8).length * 4 + 2) / 3; // base64url, unpadded
        return new Minted(token.stringValue("access_token", ""), LogProof.header(entry.body()), whole);
    }

    private static String delegate(String privateUrl, Bootstrap.Prepared prepared, Credentials alice, String agent) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.of(List.of(prepared.caCertificate()), Optional.of(alice))).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(privateUrl + "/api/v1/delegations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"delegate\":\"" + agent + "\",\"scopes\":[\"invoices:read\"],\"resources\":[\""
                        + TOOL + "\"],\"lifetime_seconds\":3600,\"max_depth\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("delegation answered " + answer.statusCode() + ": " + answer.body());
        }
        return JsonParser.create(answer.body()).readJsonObject().stringValue("chain", "");
    }

    /** Registers a workload as the operator and issues its X509-SVID for a fresh P-256 key. */
    private static Credentials register(Authority server, Bootstrap.Prepared prepared, Credentials operator,
            RegisterWorkloadRequest request) throws Exception {
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(operator))) {
            RegisterWorkloadResponse registered = client.issuer().registerWorkload(request);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair key = generator.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
            var issued = client.issuer().issueX509Svid(IssueX509SvidRequest.newBuilder()
                    .setSpiffeId(registered.getSpiffeId()).setCsr(ByteString.copyFrom(csr)).build());
            List<X509Certificate> chain = new ArrayList<>();
            for (ByteString der : issued.getCertificateChainList()) {
                chain.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der.toByteArray())));
            }
            return new Credentials(key.getPrivate(), chain);
        }
    }

    private static String spiffeId(Credentials credentials) throws Exception {
        return credentials.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
    }

    private static String get(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
