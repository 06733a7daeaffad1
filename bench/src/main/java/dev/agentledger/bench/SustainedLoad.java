package dev.agentledger.bench;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.ExchangeTokenRequest;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.IssuerServiceGrpc;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A sustained mixed load on a real server (started in this process on loopback, its own data
 * directory), through its network APIs: issuance (register an agent instance and issue its
 * X509-SVID over gRPC), RFC 8693 token exchange (gRPC, as the agent over mTLS), verification of
 * the capability token as a tool does it (the verifier client's {@code TokenVerifier}, keys from
 * {@code /api/v1/token-keys}) and revocations (gRPC). Every 10 s it prints the throughput of each
 * kind over the last interval, the heap in use after the last GC and now, the log's size, and the
 * errors by kind and cause; at the end, the totals.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.SustainedLoad [seconds] [callers] [dir] [port] [lifetime]
 * </pre>
 *
 * <p>With {@code port} (not 0) the public listener binds it and the private one {@code port + 1};
 * with 0 or without, the system picks free ports. With {@code lifetime} (300 to 3600 seconds) the
 * registrations and X509-SVIDs issued under load last that long instead of the defaults (24 h and
 * 1 h), so that the credentials live at once, and the heap that follows them, level off within a
 * run.
 */
public final class SustainedLoad {
    private static final String TD = "agentledger.local";
    private static final String TOOL = "spiffe://agentledger.local/tool/billing";
    private static final int AGENTS = 8;

    private final Map<String, LongAdder> done = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    private SustainedLoad() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = args.length > 2 ? Path.of(args[2]) : Scratch.directory("sustained-load");
        int port = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int lifetime = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        new SustainedLoad().run(seconds, callers, new DataDir(dir), port, lifetime);
    }

    /** One agent: its credentials, its mTLS channel, and alice's delegation to it. */
    private record Agent(Credentials credentials, LedgerClient client, String chain) {}

    private void run(int seconds, int callers, DataDir data, int port, int lifetime) throws Exception {
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data).withAddresses(new HostPort("127.0.0.1", port),
                new HostPort("127.0.0.1", port == 0 ? 0 : port + 1));
        try (AgentLedgerServer server = AgentLedgerServer.start(config, prepared, InstantSource.system());
                LedgerClient operator = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(),
                        Optional.of(dev.agentledger.server.bootstrap.Bootstrap.operator(data)))) {
            CertificateAuthority ca = Bootstrap.certificateAuthority(data, prepared.passphrase().value(), InstantSource.system());
            Credentials alice = ca.issueClient(SpiffeId.of(TD, "user/alice"));
            HttpClient asAlice = HttpClient.newBuilder().sslContext(TlsContexts.of(List.of(prepared.caCertificate()), Optional.of(alice))).build();
            HttpClient http = HttpClient.newHttpClient();
            TokenVerifier verifier = new TokenVerifier(TokenKeys.parse(get(http, server.publicUrl() + "/api/v1/token-keys")),
                    SpiffeId.of(TD, "agentledger/issuer").value(), InstantSource.system());
            List<byte[]> csrs = new ArrayList<>();
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                KeyPair key = IssuerLoad.p256();
                csrs.add(IssuerLoad.csr(key));
                Credentials credentials = new Credentials(key.getPrivate(), issue(operator, csrs.getLast(), 0));
                String id = credentials.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
                String chain = delegate(asAlice, server, id);
                agents.add(new Agent(credentials, LedgerClient.connect(server.privateAddress(), prepared.caCertificate(),
                        Optional.of(credentials)), chain));
            }
            System.out.printf(Locale.ROOT, "sustained load: %d s, %d callers, %d agents, %d cores, credential lifetime %s, data in %s%n",
                    seconds, callers, AGENTS, Runtime.getRuntime().availableProcessors(),
                    lifetime == 0 ? "default" : lifetime + " s", data.root());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            AtomicLong revocations = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Random random = new Random(c);
                threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                    while (System.nanoTime() < end) {
                        int pick = random.nextInt(10);
                        if (pick < 2) {
                            measure("issue", () -> issue(operator, csrs.get(random.nextInt(csrs.size())), lifetime));
                        } else if (pick < 9) {
                            Agent agent = agents.get(random.nextInt(agents.size()));
                            String token = measure("exchange", () -> exchange(agent));
                            if (token != null) {
                                measure("verify", () -> verifier.verifyCapability(token, TOOL, "invoices:read", TOOL,
                                        agent.credentials().certificate()));
                            }
                        } else {
                            measure("revoke", () -> revoke(operator, "bench-" + revocations.incrementAndGet()));
                        }
                    }
                }));
            }
            report(server, seconds, threads, end);
            agents.forEach(a -> a.client().close());
        }
    }

    /** Prints the progress every 10 s until the run ends, then the totals. */
    private void report(AgentLedgerServer server, int seconds, List<Thread> threads, long end) throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        Map<String, Long> before = snapshot(done);
        long start = System.nanoTime();
        long last = start;
        long maxHeapAfterGc = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            long next = last + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < next && threads.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(100);
            }
            long now = System.nanoTime();
            Map<String, Long> counts = snapshot(done);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%4d s", TimeUnit.NANOSECONDS.toSeconds(now - start)));
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                line.append(String.format(Locale.ROOT, "  %s %.0f/s", e.getKey(),
                        (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / ((now - last) / 1e9)));
            }
            long heapAfterGc = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                    .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
            maxHeapAfterGc = Math.max(maxHeapAfterGc, heapAfterGc);
            line.append(String.format(Locale.ROOT, "  heap %d MiB (after last GC %d MiB)  log %d entries  errors %s",
                    memory.getHeapMemoryUsage().getUsed() >> 20, heapAfterGc >> 20, server.ledger().checkpoint().size(),
                    snapshot(errors)));
            System.out.println(line);
            before = counts;
            last = now;
        }
        Map<String, Long> totals = snapshot(done);
        StringBuilder summary = new StringBuilder("total:");
        totals.forEach((k, v) -> summary.append(String.format(Locale.ROOT, "  %s %d (%.0f/s)", k, v, v / (double) seconds)));
        summary.append(String.format(Locale.ROOT, "  log %d entries  max heap after GC %d MiB  errors %s",
                server.ledger().checkpoint().size(), maxHeapAfterGc >> 20, snapshot(errors)));
        System.out.println(summary);
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** Runs {@code call}, counting it as done or as an error of its kind and cause; null on error. */
    private <T> T measure(String kind, Call<T> call) {
        try {
            T result = call.call();
            done.computeIfAbsent(kind, k -> new LongAdder()).increment();
            return result;
        } catch (Exception e) {
            String cause = e instanceof StatusRuntimeException s ? s.getStatus().getCode().name() : e.getClass().getSimpleName();
            if (errors.computeIfAbsent(kind + ":" + cause, k -> new LongAdder()).sum() == 0) {
                // The first error of each kind and cause, in full: a status code alone does not say
                // whether the server refused or the transport failed.
                System.err.println("first " + kind + ":" + cause + " error: " + e
                        + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")"));
            }
            errors.get(kind + ":" + cause).increment();
            return null;
        }
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * Registers an agent instance as the operator and issues its X509-SVID for {@code csr}, both
     * lasting {@code lifetime} seconds (0: the defaults): two log entries.
     */
    private static List<X509Certificate> issue(LedgerClient operator, byte[] csr, int lifetime) throws Exception {
        RegisterWorkloadResponse registered = operator.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                .setAgentName("load").setActingUserSpiffeId("spiffe://" + TD + "/user/alice").setLifetimeSeconds(lifetime).build());
        var issued = operator.issuer().issueX509Svid(IssueX509SvidRequest.newBuilder()
                .setSpiffeId(registered.getSpiffeId()).setCsr(ByteString.copyFrom(csr)).setTtlSeconds(lifetime).build());
        List<X509Certificate> chain = new ArrayList<>();
        for (ByteString der : issued.getCertificateChainList()) {
            chain.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der.toByteArray())));
        }
        return chain;
    }

    /** The agent exchanges alice's delegation for a capability token (RFC 8693), as itself over mTLS: two log entries. */
    private static String exchange(Agent agent) {
        return IssuerServiceGrpc.newBlockingStub(agent.client().channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .exchangeToken(ExchangeTokenRequest.newBuilder()
                        .setGrantType("urn:ietf:params:oauth:grant-type:token-exchange")
                        .setSubjectToken(agent.chain())
                        .setSubjectTokenType("urn:agentledger:params:oauth:token-type:delegation-chain")
                        .setResource(TOOL).setScope("invoices:read").build())
                .getToken();
    }

    private static Long revoke(LedgerClient operator, String tokenId) {
        return RevocationServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .revoke(RevokeRequest.newBuilder().setRequestId(tokenId)
                        .setRevocation(Revoked.newBuilder().setTokenId(tokenId).setReason(RevocationReason.REVOCATION_REASON_SUPERSEDED))
                        .build())
                .getEvent().getSequence();
    }

    /** alice's delegation of {@code invoices:read} on the tool to {@code agent}, for an hour: the chain. */
    private static String delegate(HttpClient asAlice, AgentLedgerServer server, String agent) throws Exception {
        String body = "{\"delegate\":\"" + agent + "\",\"scopes\":[\"invoices:read\"],\"resources\":[\"" + TOOL + "\"],"
                + "\"lifetime_seconds\":3600,\"max_depth\":0}";
        HttpResponse<String> response = asAlice.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.privateAddress().port() + "/api/v1/delegations"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("delegation refused: " + response.statusCode() + " " + response.body());
        }
        return io.helidon.json.JsonParser.create(response.body()).readJsonObject().stringValue("chain", "");
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
