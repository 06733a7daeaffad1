package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.server.proxy.ActionProxy;
import dev.agentledger.server.proxy.ProxyConfig;
import dev.agentledger.server.proxy.SecretStore;
import dev.agentledger.verifierclient.guard.LogProof;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import io.helidon.http.HeaderNames;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The action proxy end to end: a real authority, a real upstream HTTP service (a Helidon server
 * that keeps what it received), agents with SVIDs and capability tokens from the authority, and
 * the proxy between them configured from YAML, holding the upstream's API key in its encrypted
 * store. Every decision is checked in the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActionProxyTest {
    private static final String SECRET = "sk-live-7f3a9c1e5b2d4e6f8a0b";
    private static final String READ = "invoices:read";
    /** Burst of the configured rate limit: this many calls per agent, then 429 (refill 1 per 100 s). */
    private static final int BURST = 3;

    /** One request as the upstream received it. */
    record Received(String method, String path, Map<String, List<String>> headers, String body) {}

    private AgentAuthority authority;
    private WebServer upstream;
    private ActionProxy proxy;
    /** The same configuration with a data directory: tokens spent in its journal, records logged after the answer. */
    private ActionProxy journaled;
    private SecretStore secrets;
    private Path configDir;
    private SpiffeBundle bundle;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** Holds the upstream's answer to {@code /invoices/held-*} until counted down. */
    private final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        authority = AgentAuthority.start(dir.resolve("authority"));
        upstream = WebServer.builder().shutdownHook(false).host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                    req.headers().forEach(h -> headers.put(h.name(), h.allValues()));
                    String body = new String(req.content().inputStream().readAllBytes(), StandardCharsets.UTF_8);
                    received.add(new Received(req.prologue().method().text(), req.path().rawPath()
                            + (req.query().rawValue().isEmpty() ? "" : "?" + req.query().rawValue()), headers, body));
                    if (req.path().rawPath().startsWith("/invoices/held-")) {
                        held.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    res.header(HeaderNames.CONTENT_TYPE, "application/json").send("{\"invoice\":\"42\",\"amount\":\"120.00 EUR\"}");
                }))
                .build().start();
        Credentials tool = authority.tool("billing");
        tool.write(dir.resolve("tool-key.pem"), dir.resolve("tool.pem"));
        Files.writeString(dir.resolve("passphrase"), "correct horse battery staple\n");
        SecretStore.open(dir.resolve("secrets.enc"), "correct horse battery staple".toCharArray(), true)
                .put("billing-api-key", SECRET.getBytes(StandardCharsets.UTF_8));
        RunningServer server = authority.server;
        String yaml = """
                listen: 127.0.0.1:0
                identity: {certificate: tool.pem, key: tool-key.pem}
                authority:
                  public_url: %s
                  private_url: https://localhost:%d
                  ca_certificate: %s
                  trust_domain: agentledger.local
                  log_key: "%s"
                secrets: {file: secrets.enc, passphrase_file: passphrase}
                upstreams:
                  - name: %s
                    prefix: /billing
                    url: http://127.0.0.1:%d
                    routes:
                      - {method: GET, path: "/invoices/{id}", action: "invoices:read"}
                      - {method: POST, path: "/payments", action: "payments:send", requires_approval: true}
                      - {method: GET, path: "/reports/{id}", action: "invoices:read", requires_approval: true}
                    inject: {secret: billing-api-key, header: Authorization, format: "Bearer {secret}"}
                    rate_limit: {per_second: 0.01, burst: %d}
                """.formatted(server.server.publicUrl(), server.server.privateAddress().port(),
                server.prepared.dir().caCertificate(), server.prepared.logKey().verifierKey(), AgentAuthority.TOOL,
                upstream.port(), BURST);
        Files.writeString(dir.resolve("proxy.yaml"), yaml);
        Files.writeString(dir.resolve("journaled.yaml"), yaml + "data_dir: journaled-data\n");
        Files.writeString(dir.resolve("cli.yaml"), yaml + "data_dir: cli-data\n");
        // The kill test retries while a started proxy has not heard the revocation feed yet (503), and
        // each try counts against the caller's rate limit: not what that test is about.
        String unlimited = yaml.replace("rate_limit: {per_second: 0.01, burst: " + BURST + "}", "rate_limit: {per_second: 100, burst: 1000}");
        assertTrue(!unlimited.equals(yaml), "the rate limit line moved");
        Files.writeString(dir.resolve("killed.yaml"), unlimited + "data_dir: killed-data\n");
        configDir = dir;
        ProxyConfig config = ProxyConfig.read(dir.resolve("proxy.yaml"));
        SecretStore secrets = SecretStore.open(Path.of(config.secrets().file()),
                SecretStore.passphrase(Optional.of(Path.of(config.secrets().passphraseFile())), Map.of()), false);
        proxy = ActionProxy.start(config, Optional.of(secrets), InstantSource.system());
        this.secrets = secrets;
        journaled = startJournaled();
        bundle = SpiffeBundle.parse(server.getText("/api/v1/bundle"), AgentAuthority.TD);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!proxy.revocationFeedFresh() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private ActionProxy startJournaled() throws Exception {
        ActionProxy started = ActionProxy.start(ProxyConfig.read(configDir.resolve("journaled.yaml")), Optional.of(secrets),
                InstantSource.system());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!started.revocationFeedFresh() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return started;
    }

    @AfterAll
    void stop() {
        for (AutoCloseable part : new AutoCloseable[] {proxy, journaled, upstream == null ? null : upstream::stop, authority}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    void anAllowedCallIsForwardedWithTheInjectedSecretAndRecorded() throws Exception {
        Credentials agent = authority.spawn("research");
        JsonObject token = token(agent, READ);
        received.clear();
        HttpResponse<String> answer = call(agent, "GET", "/billing/invoices/42?expand=lines", Optional.of(token));
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("{\"invoice\":\"42\",\"amount\":\"120.00 EUR\"}", answer.body());
        assertFalse(answer.body().contains(SECRET) || answer.headers().map().toString().contains(SECRET), "the agent never sees the secret");

        Received got = received.poll();
        assertNotNull(got, "the upstream was not called");
        assertEquals("GET", got.method());
        assertEquals("/invoices/42?expand=lines", got.path());
        assertEquals(List.of("Bearer " + SECRET), got.headers().get("Authorization"), "the upstream sees the injected secret");
        assertEquals(List.of(AgentAuthority.spiffeId(agent)), got.headers().get("AgentLedger-Caller"));
        assertFalse(got.headers().containsKey(LogProof.HEADER));
        assertFalse(got.headers().toString().contains(token.stringValue("access_token", "")), "the agent's token is not forwarded");

        ToolCallRecorded record = recordOf(token);
        assertEquals("", record.getRefusalReason());
        assertEquals(200, record.getResponseStatus());
        assertEquals(AgentAuthority.TOOL, record.getUpstream());
        assertEquals("GET", record.getMethod());
        assertEquals("/billing/invoices/42", record.getPath(), "the query is not logged");
        assertEquals(READ, record.getAction());
        assertEquals(AgentAuthority.TOOL, record.getResource());
        assertEquals(AgentAuthority.spiffeId(agent), record.getCallerSpiffeId());
        assertEquals(List.of("billing-api-key"), record.getInjectedCredentialNamesList());
        assertEquals(1, record.getDelegationIdsCount());
        assertEquals("spiffe://agentledger.local/user/alice", record.getActingUser().getSubject());
        assertEquals(com.google.protobuf.ByteString.copyFrom(sha256(answer.body())), record.getResponseBodySha256());
        assertFalse(logContains(SECRET.getBytes(StandardCharsets.UTF_8)), "no log entry holds the secret");
    }

    @Test
    void aReplayedTokenIsRefusedAndTheRefusalRecorded() throws Exception {
        Credentials agent = authority.spawn("replayer");
        JsonObject token = token(agent, READ);
        assertEquals(200, call(agent, "GET", "/billing/invoices/1", Optional.of(token)).statusCode());
        HttpResponse<String> replay = call(agent, "GET", "/billing/invoices/1", Optional.of(token));
        assertRefusal(replay, 403, "replayed");
        List<ToolCallRecorded> records = recordsOf(token);
        assertEquals(List.of("", "replayed"), records.stream().map(ToolCallRecorded::getRefusalReason).toList());
        assertEquals(403, records.get(1).getResponseStatus());
    }

    @Test
    void aRevokedAgentIsRefusedWithinTheFreshnessBound() throws Exception {
        Credentials agent = authority.spawn("compromised");
        JsonObject token = token(agent, READ);
        HttpResponse<String> revoke = authority.post(authority.server.operator(), "/api/v1/revocations", "application/json",
                "{\"revocation\":{\"spiffe_id\":\"" + AgentAuthority.spiffeId(agent) + "\",\"reason\":\"REVOCATION_REASON_AGENT_COMPROMISE\"}}");
        assertEquals(200, revoke.statusCode(), revoke.body());
        // The revocation check precedes the spend: once the feed has delivered the revocation, even
        // an already spent token is refused as revoked, not as replayed.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        HttpResponse<String> answer = call(agent, "GET", "/billing/invoices/7", Optional.of(token));
        while (!answer.body().contains("\"revoked\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            answer = call(agent, "GET", "/billing/invoices/7", Optional.of(token));
        }
        assertRefusal(answer, 403, "revoked");
        assertTrue(answer.body().contains(AgentAuthority.spiffeId(agent)), answer.body());
        assertEquals("revoked", recordsOf(token).getLast().getRefusalReason());
    }

    @Test
    void theRateLimitPerSpiffeIdAnswers429WithRetryAfterAndSpendsNoToken() throws Exception {
        Credentials agent = authority.spawn("hasty");
        for (int i = 0; i < BURST; i++) {
            assertEquals(200, call(agent, "GET", "/billing/invoices/" + i, Optional.of(token(agent, READ))).statusCode());
        }
        JsonObject spared = token(agent, READ);
        HttpResponse<String> limited = call(agent, "GET", "/billing/invoices/9", Optional.of(spared));
        assertRefusal(limited, 429, "rate_limited");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 100, "Retry-After " + retryAfter);
        assertEquals("rate_limited", recordsOf(spared).getLast().getRefusalReason());
        assertTrue(logEntries().noneMatch(e -> e.hasTokenConsumed() && e.getTokenConsumed().getTokenId().equals(jti(spared))),
                "a rate-limited call must not spend its token");

        Credentials other = authority.spawn("patient");
        assertEquals(200, call(other, "GET", "/billing/invoices/9", Optional.of(token(other, READ))).statusCode(),
                "another SPIFFE ID has its own bucket");
    }

    @Test
    void callsWithoutATokenOrOutsideTheRoutesAreRefusedWithAReasonAndRecorded() throws Exception {
        Credentials agent = authority.spawn("careless");
        long before = authority.server.treeSize();
        assertRefusal(call(agent, "GET", "/billing/invoices/5", Optional.empty()), 401, "missing_token");
        assertRefusal(call(agent, "DELETE", "/billing/invoices/5", Optional.empty()), 403, "not_mapped");
        assertRefusal(call(agent, "GET", "/elsewhere/x", Optional.empty()), 404, "no_upstream");
        // The proxy's listener serves no observe endpoints of its own: they are paths like any other.
        assertRefusal(call(agent, "GET", "/observe/health", Optional.empty()), 404, "no_upstream");
        List<String> reasons = logEntries().skip(before).filter(LogEntry::hasToolCallRecorded).map(LogEntry::getToolCallRecorded)
                .filter(r -> r.getCallerSpiffeId().equals(spiffeIdOf(agent)))
                .map(ToolCallRecorded::getRefusalReason).toList();
        assertEquals(List.of("missing_token", "not_mapped", "no_upstream", "no_upstream"), reasons);
    }

    @Test
    void withAJournalTheProxySpendsTheTokenAlsoAcrossARestartAndLogsTheCallAfterTheAnswer() throws Exception {
        Credentials agent = authority.spawn("journaled");
        JsonObject token = token(agent, READ);
        JsonObject later = token(agent, READ);
        received.clear();
        HttpResponse<String> answer = call(journaled.port(), agent, "GET", "/billing/invoices/43", Optional.of(token));
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(List.of("Bearer " + SECRET), received.poll().headers().get("Authorization"));
        assertRefusal(call(journaled.port(), agent, "GET", "/billing/invoices/43", Optional.of(token)), 403, "replayed");
        awaitLogged(journaled);
        List<ToolCallRecorded> records = recordsOf(token);
        // The forwarded call's record is logged after its answer, in the shipper's next batch, so it
        // may follow the replay's refusal, which is logged before the refusal is answered.
        assertEquals(List.of("", "replayed"), records.stream().map(ToolCallRecorded::getRefusalReason).sorted().toList());
        ToolCallRecorded forwarded = records.stream().filter(r -> r.getRefusalReason().isEmpty()).findFirst().orElseThrow();
        assertEquals(200, forwarded.getResponseStatus());
        assertEquals(1, forwarded.getDelegationIdsCount());
        assertEquals("spiffe://agentledger.local/user/alice", forwarded.getActingUser().getSubject());
        assertEquals(List.of("billing-api-key"), forwarded.getInjectedCredentialNamesList());
        assertEquals(com.google.protobuf.ByteString.copyFrom(sha256(answer.body())), forwarded.getResponseBodySha256());
        assertTrue(logEntries().noneMatch(e -> e.hasTokenConsumed() && e.getTokenConsumed().getTokenId().equals(jti(token))),
                "the token's only audience is the proxy's identity: its journal, not the authority, spends it");

        journaled.close();
        journaled = startJournaled();
        assertRefusal(call(journaled.port(), agent, "GET", "/billing/invoices/43", Optional.of(token)), 403, "replayed");
        assertEquals(200, call(journaled.port(), agent, "GET", "/billing/invoices/44", Optional.of(later)).statusCode());
        awaitLogged(journaled);
        assertEquals(List.of("", "replayed", "replayed"), recordsOf(token).stream().map(ToolCallRecorded::getRefusalReason).sorted().toList());
        assertEquals(200, recordOf(later).getResponseStatus());
    }

    @Test
    void aRouteThatRequiresApprovalRefusesATokenIssuedWithoutOneAndForwardsAnApprovedOne() throws Exception {
        Credentials agent = authority.spawn("payer");
        String chain = authority.delegate(AgentAuthority.spiffeId(agent), "\"invoices:read\",\"payments:send\"");
        JsonObject plain = token(agent, chain, READ, Optional.empty());
        HttpResponse<String> refused = call(journaled.port(), agent, "GET", "/billing/reports/1", Optional.of(plain));
        assertRefusal(refused, 403, "needs_approval");
        assertTrue(refused.body().contains("approval"), refused.body());
        assertEquals(200, call(journaled.port(), agent, "GET", "/billing/invoices/1", Optional.of(plain)).statusCode(),
                "the refusal did not spend the token");
        String approvalId = authority.pendingPayment(agent, chain);
        HttpResponse<String> approve = authority.post(authority.approver, "/api/v1/approvals/" + approvalId + "/approve",
                "application/json", "{\"comment\":\"checked\"}");
        assertEquals(200, approve.statusCode(), approve.body());
        JsonObject approved = token(agent, chain, "payments:send", Optional.of(approvalId));
        assertEquals(200, call(journaled.port(), agent, "POST", "/billing/payments", Optional.of(approved)).statusCode());
        awaitLogged(journaled);
        assertEquals(List.of("needs_approval", ""), recordsOf(plain).stream().map(ToolCallRecorded::getRefusalReason).toList());
        assertEquals(200, recordOf(approved).getResponseStatus());
    }

    @Test
    void theProxyCommandServesACallFromItsConfigurationFile() throws Exception {
        Path out = configDir.resolve("proxy-cli.out");
        Process process = proxyProcess("cli.yaml", out);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int port = listeningPort(process, out, deadline);
            Credentials agent = authority.spawn("cli-caller");
            JsonObject token = token(agent, READ);
            HttpResponse<String> answer = callOnceFresh(port, agent, "/billing/invoices/77", token, deadline);
            assertEquals(200, answer.statusCode(), answer.body());
            while (recordsOf(token).stream().noneMatch(r -> r.getResponseStatus() == 200)) {
                assertTrue(System.nanoTime() < deadline, "the call was not logged:\n" + Files.readString(out, StandardCharsets.UTF_8));
                Thread.sleep(50);
            }
        } finally {
            process.destroy();
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    void aProxyKilledWhileTheUpstreamWorksDoesNotForwardTheTokenAgainAfterItsRestartAndLogsTheCall() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Credentials agent = authority.spawn("killed-mid-call");
        Path out = configDir.resolve("proxy-killed.out");
        Process first = proxyProcess("killed.yaml", out);
        JsonObject token;
        String path;
        try {
            int port = listeningPort(first, out, deadline);
            HttpResponse<String> ready = callOnceFresh(port, agent, "/billing/invoices/ready", token(agent, READ), deadline);
            assertEquals(200, ready.statusCode(), ready.body());
            token = token(agent, READ); // minted now: it must outlive the kill and the restart (30 s)
            path = "/billing/invoices/held-" + jti(token);
            HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.forSpiffePeer(bundle, AgentAuthority.TOOL, agent)).build();
            var pending = client.sendAsync(request(port, "GET", path, Optional.of(token)).build(), HttpResponse.BodyHandlers.ofString());
            String upstreamPath = path.substring("/billing".length());
            while (received.stream().noneMatch(r -> r.path().equals(upstreamPath))) {
                assertTrue(System.nanoTime() < deadline && !pending.isDone(), "the call did not reach the upstream");
                Thread.sleep(10);
            }
            first.destroyForcibly(); // SIGKILL while the upstream holds the call: no shutdown, no flush
            assertTrue(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            held.countDown();
        } finally {
            first.destroyForcibly();
        }
        // Restarted in this JVM (quick, so the token is still valid) on the killed process's data directory.
        try (ActionProxy restarted = ActionProxy.start(ProxyConfig.read(configDir.resolve("killed.yaml")), Optional.of(secrets),
                InstantSource.system())) {
            assertRefusal(callOnceFresh(restarted.port(), agent, path, token, deadline), 403, "replayed");
            String upstreamPath = path.substring("/billing".length());
            assertEquals(1, received.stream().filter(r -> r.path().equals(upstreamPath)).count(), "the upstream got the call once");
            awaitLogged(restarted);
            List<ToolCallRecorded> records = recordsOf(token);
            ToolCallRecorded interrupted = records.stream().filter(r -> r.getRefusalReason().isEmpty()).findFirst()
                    .orElseThrow(() -> new AssertionError("the interrupted call was not logged: " + records));
            assertEquals(0, interrupted.getResponseStatus(), "its record as journaled before forwarding: the answer never came");
            assertEquals(path, interrupted.getPath());
            assertTrue(records.stream().anyMatch(r -> r.getRefusalReason().equals("replayed")), "the replay was not logged: " + records);
        }
    }

    /** Starts {@code agentledger proxy --config <config>} in a child JVM, its output to {@code out}. */
    private Process proxyProcess(String config, Path out) throws java.io.IOException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), dev.agentledger.server.cli.Main.class.getName(),
                "proxy", "--config", configDir.resolve(config).toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** The port the child proxy reports it listens on, waiting for the line until {@code deadline}. */
    private static int listeningPort(Process process, Path out, long deadline) throws Exception {
        String listening = "Action proxy listening (mTLS) on ";
        while (true) {
            String report = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            var line = report.lines().filter(l -> l.startsWith(listening)).findFirst();
            if (line.isPresent()) {
                return HostPort.parse(line.get().substring(listening.length()).strip()).port();
            }
            assertTrue(process.isAlive(), "proxy exited with " + (process.isAlive() ? "" : process.exitValue()) + ":\n" + report);
            assertTrue(System.nanoTime() < deadline, "the proxy did not listen in time:\n" + report);
            Thread.sleep(50);
        }
    }

    /** One call, repeated while the proxy answers 503 because its revocation feed is not heard yet. */
    private HttpResponse<String> callOnceFresh(int port, Credentials agent, String path, JsonObject token, long deadline) throws Exception {
        HttpResponse<String> answer = call(port, agent, "GET", path, Optional.of(token));
        while (answer.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            answer = call(port, agent, "GET", path, Optional.of(token));
        }
        return answer;
    }

    /** Waits (at most 30 s) until {@code proxy} has logged every call record it journaled. */
    private static void awaitLogged(ActionProxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (proxy.unshipped() > 0) {
            assertTrue(System.nanoTime() < deadline, proxy.unshipped() + " call records still not logged after 30 s");
            Thread.sleep(10);
        }
    }

    private static String spiffeIdOf(Credentials credentials) {
        try {
            return AgentAuthority.spiffeId(credentials);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private JsonObject token(Credentials agent, String action) throws Exception {
        String chain = authority.delegate(AgentAuthority.spiffeId(agent), "\"" + action + "\"");
        return token(agent, chain, action, Optional.empty());
    }

    private JsonObject token(Credentials agent, String chain, String action, Optional<String> approvalId) throws Exception {
        HttpResponse<String> response = authority.exchange(agent, chain, action, approvalId);
        assertEquals(200, response.statusCode(), response.body());
        return JsonParser.create(response.body()).readJsonObject();
    }

    private HttpResponse<String> call(Credentials agent, String method, String path, Optional<JsonObject> token) throws Exception {
        return call(proxy.port(), agent, method, path, token);
    }

    private HttpResponse<String> call(int port, Credentials agent, String method, String path, Optional<JsonObject> token)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.forSpiffePeer(bundle, AgentAuthority.TOOL, agent)).build();
        return client.send(request(port, method, path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call to the proxy on {@code port}, with {@code token} and its log proof when given. */
    private HttpRequest.Builder request(int port, String method, String path, Optional<JsonObject> token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token.isPresent()) {
            long index = token.get().objectValue("agentledger_log").orElseThrow().longValue("index", -1);
            request.header("Authorization", "Bearer " + token.get().stringValue("access_token", ""))
                    .header(LogProof.HEADER, LogProof.header(authority.server.getText("/api/v1/entries/" + index)));
        }
        return request;
    }

    private static void assertRefusal(HttpResponse<String> answer, int status, String reason) {
        assertEquals(status, answer.statusCode(), answer.body());
        JsonObject body = JsonParser.create(answer.body()).readJsonObject();
        assertEquals(reason, body.stringValue("error", ""), answer.body());
        assertFalse(body.stringValue("error_description", "").isEmpty(), answer.body());
    }

    private static String jti(JsonObject token) {
        String payload = token.stringValue("access_token", "").split("\\.")[1];
        return JsonParser.create(new String(java.util.Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
                .readJsonObject().stringValue("jti", "");
    }

    private ToolCallRecorded recordOf(JsonObject token) {
        List<ToolCallRecorded> records = recordsOf(token);
        assertEquals(1, records.size(), "records of the token: " + records);
        return records.get(0);
    }

    /** The token's ToolCallRecorded entries, in log order, each appended by the proxy as the tool. */
    private List<ToolCallRecorded> recordsOf(JsonObject token) {
        String id = jti(token);
        List<ToolCallRecorded> records = new ArrayList<>();
        logEntries().filter(e -> e.hasToolCallRecorded()).forEach(e -> {
            if (e.getToolCallRecorded().getCapabilityTokenId().equals(id)) {
                assertEquals(AgentAuthority.TOOL, e.getHeader().getCallerSpiffeId());
                records.add(e.getToolCallRecorded());
            }
        });
        return records;
    }

    private java.util.stream.Stream<LogEntry> logEntries() {
        long size = authority.server.treeSize();
        return java.util.stream.LongStream.range(0, size).mapToObj(i -> {
            try {
                return LogEntries.parse(authority.server.server.ledger().entry(i).orElseThrow());
            } catch (Exception e) {
                throw new AssertionError("entry " + i + " does not parse", e);
            }
        });
    }

    private boolean logContains(byte[] needle) {
        long size = authority.server.treeSize();
        for (long i = 0; i < size; i++) {
            byte[] entry = authority.server.server.ledger().entry(i).orElseThrow();
            for (int at = 0; at + needle.length <= entry.length; at++) {
                if (java.util.Arrays.equals(entry, at, at + needle.length, needle, 0, needle.length)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
