package dev.agentledger.verifierclient.agent;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.revocation.CredentialIds;
import dev.agentledger.verifierclient.revocation.RevocationStatus;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * One agent instance's identity and its use: {@link #join} redeems a one-time join token for an
 * X509-SVID (P-256 key made here, never sent), every SVID is verified on arrival (see
 * {@code Arrival}: SPIFFE rules, expected ID, own key, logged in a checkpoint signed by the pinned
 * log key) before it is used, renewed over mTLS with the current one ({@code POST
 * /api/v1/svids/x509}) at half its lifetime minus up to a tenth of it as jitter, the old one
 * presented until the new one is verified; {@link #keyManager()} and {@link #sslContext} present
 * the newest; {@link #exchange} obtains single-use capability tokens (RFC 8693), waiting for a
 * human approval when the policy asks.
 *
 * <p>Security guarantees: the agent never presents or uses an SVID that failed a check on
 * arrival; once the revocation feed (if configured) reports its SPIFFE ID, instance or current
 * serial revoked, it stops for good: the key manager presents nothing, {@link #exchange} and
 * {@link #renew} throw {@code REVOKED}. A stale feed does not stop it (tools fail closed on
 * their side). Tokens are returned once and never kept.
 *
 * <p>Thread-safe.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    private static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String DELEGATION_CHAIN_TYPE = "urn:agentledger:params:oauth:token-type:delegation-chain";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_RETRY = Duration.ofSeconds(1);

    private final AgentConfig config;
    private final SpiffeId expected;
    private final RenewalTimer timer;
    private final AtomicReference<Svid> current = new AtomicReference<>();
    private final SvidKeyManager keyManager;
    private final HttpClient publicHttp;
    private final Object renewing = new Object();
    private volatile HttpClient privateHttp;
    private volatile boolean revoked;
    private volatile String revokedBecause = "";
    private volatile boolean closed;
    private volatile SpiffeBundle bundle;

    private Agent(AgentConfig config, SpiffeId expected) {
        this.config = config;
        this.expected = expected;
        this.timer = config.timer().get();
        this.keyManager = new SvidKeyManager(this::usable);
        this.publicHttp = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    }

    /**
     * Joins as {@code expected}: makes a P-256 key, redeems {@code joinToken} with a CSR at
     * {@code POST /api/v1/join}, verifies the SVID on arrival and schedules its renewal.
     *
     * @throws AgentException {@code REFUSED} if the authority refused the token, {@code UNVERIFIED}
     *     if the SVID fails a check (it is then never used), {@code UNAVAILABLE} if unreachable
     */
    public static Agent join(AgentConfig config, SpiffeId expected, String joinToken) throws AgentException {
        Agent agent = new Agent(config, expected);
        try {
            KeyPair key = newKey();
            String body = "{\"join_token\":" + quote(joinToken) + ",\"csr\":" + quote(csr(key))
                    + ",\"ttl_seconds\":" + config.svidTtl().toSeconds() + "}";
            Map<String, Object> answer = agent.send(agent.publicHttp, HttpRequest.newBuilder(config.publicUrl().resolve("/api/v1/join")),
                    body, "join");
            agent.accept(answer, key);
            return agent;
        } catch (AgentException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    /** The SPIFFE ID this agent runs as. */
    public SpiffeId spiffeId() {
        return expected;
    }

    /** The newest verified SVID, or empty once revoked or closed. */
    public Optional<Svid> svid() {
        return usable();
    }

    /** The trust bundle the newest SVID was verified against (for a {@code SpiffeTrustManager} towards tools). */
    public SpiffeBundle trustBundle() {
        return bundle;
    }

    /** A key manager presenting the newest SVID at each handshake, and nothing once revoked or closed. */
    public SvidKeyManager keyManager() {
        return keyManager;
    }

    /**
     * A TLS context presenting the newest SVID, trusting {@code trust} for the server's certificate
     * (e.g. a {@code SpiffeTrustManager} for a tool's SVID).
     */
    public SSLContext sslContext(TrustManager... trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context", e);
        }
    }

    /** A TLS context presenting the newest SVID and trusting the authority's private listener (the configured CAs). */
    public SSLContext sslContext() {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            int n = 0;
            for (X509Certificate authority : config.serverAuthorities()) {
                anchors.setCertificateEntry("authority-" + n++, authority);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            return sslContext(factory.getTrustManagers());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the configured server authorities cannot be trusted: " + e.getMessage(), e);
        }
    }

    /**
     * Renews the SVID now: a new P-256 key, {@code POST /api/v1/svids/x509} over mTLS with the
     * current SVID, the answer verified on arrival; only then does the new one replace the old one.
     *
     * @throws AgentException {@code REVOKED} or {@code CLOSED} (nothing is sent), {@code REFUSED},
     *     {@code UNVERIFIED} (the old SVID stays in use), {@code UNAVAILABLE}
     */
    public Svid renew() throws AgentException {
        synchronized (renewing) {
            requireUsable();
            KeyPair key = newKey();
            String body = "{\"csr\":" + quote(csr(key)) + ",\"ttl_seconds\":" + config.svidTtl().toSeconds() + "}";
            Map<String, Object> answer = send(privateHttp, HttpRequest.newBuilder(config.privateUrl().resolve("/api/v1/svids/x509")),
                    body, "renewal");
            return accept(answer, key);
        }
    }

    /**
     * Asks for a capability token for {@code request}; when the policy asks a human, polls the
     * approval ({@code GET /api/v1/approvals/<id>}) until it is decided or {@code timeout} has
     * passed, and retries once approved. The token is returned once and not kept.
     *
     * @throws AgentException {@code REVOKED} or {@code CLOSED} (nothing is sent), {@code UNAVAILABLE}
     * @throws InterruptedException if interrupted while waiting
     */
    public ExchangeResult exchange(CapabilityRequest request, Duration timeout) throws AgentException, InterruptedException {
        Instant deadline = config.clock().instant().plus(timeout);
        Optional<String> approvalId = Optional.empty();
        while (true) {
            requireUsable();
            TokenAnswer answer = token(request, approvalId);
            if (answer.granted().isPresent()) {
                return answer.granted().get();
            }
            if (!answer.error().equals("authorization_pending")) {
                return answer.error().equals("access_denied")
                        ? new ExchangeResult.Denied(answer.description(), approvalId)
                        : new ExchangeResult.Refused(answer.error(), answer.description());
            }
            String id = answer.approvalId().orElseThrow(() -> new AgentException(AgentException.Reason.UNAVAILABLE,
                    "the authority answered authorization_pending without an approval_id"));
            approvalId = Optional.of(id);
            Optional<ExchangeResult> ended = awaitDecision(id, deadline);
            if (ended.isPresent()) {
                return ended.get();
            }
        }
    }

    /** Stops renewing and using the identity. */
    @Override
    public void close() {
        closed = true;
        timer.close();
    }

    /** Polls approval {@code id}: empty once approved (retry), else how the wait ended. */
    private Optional<ExchangeResult> awaitDecision(String id, Instant deadline) throws AgentException, InterruptedException {
        while (true) {
            requireUsable();
            Map<String, Object> approval = send(privateHttp, HttpRequest.newBuilder(
                    config.privateUrl().resolve("/api/v1/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8))).GET(),
                    null, "approval status");
            String status = String.valueOf(approval.get("status"));
            switch (status) {
                case "approved":
                    return Optional.empty();
                case "pending":
                    break;
                default:
                    return Optional.of(new ExchangeResult.Denied("approval " + id + " is " + status
                            + (approval.get("comment") instanceof String c && !c.isEmpty() ? ": " + c : ""), Optional.of(id)));
            }
            Instant now = config.clock().instant();
            if (!now.isBefore(deadline)) {
                return Optional.of(new ExchangeResult.TimedOut(id));
            }
            Duration left = Duration.between(now, deadline);
            config.sleeper().sleep(left.compareTo(config.approvalPoll()) < 0 ? left : config.approvalPoll());
        }
    }

    /** One answer of {@code POST /oauth2/token}. */
    private record TokenAnswer(Optional<ExchangeResult.Granted> granted, String error, String description, Optional<String> approvalId) {}

    private TokenAnswer token(CapabilityRequest request, Optional<String> approvalId) throws AgentException {
        StringBuilder form = new StringBuilder("grant_type=").append(encode(GRANT_TYPE))
                .append("&subject_token=").append(encode(request.delegationChain()))
                .append("&subject_token_type=").append(encode(DELEGATION_CHAIN_TYPE))
                .append("&resource=").append(encode(request.resource()))
                .append("&scope=").append(encode(request.action()));
        request.authorizationDetails().ifPresent(d -> form.append("&authorization_details=").append(encode(d)));
        approvalId.ifPresent(id -> form.append("&approval_id=").append(encode(id)));
        HttpResponse<String> response = exchangeHttp(HttpRequest.newBuilder(config.privateUrl().resolve("/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())), "token exchange");
        Map<String, Object> body = json(response, "token exchange");
        try {
            if (response.statusCode() == 200) {
                long index = Arrival.number(Arrival.object(body.get("agentledger_log"), "agentledger_log").get("index"), "agentledger_log.index");
                return new TokenAnswer(Optional.of(new ExchangeResult.Granted(Arrival.string(body.get("access_token"), "access_token"), index,
                        Arrival.number(body.get("expires_in"), "expires_in"), approvalId)), "", "", approvalId);
            }
            return new TokenAnswer(Optional.empty(), Arrival.string(body.get("error"), "error"),
                    body.get("error_description") instanceof String d ? d : "",
                    body.get("approval_id") instanceof String id ? Optional.of(id) : Optional.empty());
        } catch (VerificationException e) {
            throw new AgentException(AgentException.Reason.UNAVAILABLE, "unreadable token exchange answer (HTTP "
                    + response.statusCode() + "): " + e.getMessage(), e);
        }
    }

    /** Verifies an arrived SVID, then makes it current and schedules its renewal. */
    private Svid accept(Map<String, Object> answer, KeyPair key) throws AgentException {
        Arrival.Arrived arrived = Arrival.verify(answer, key, expected, config.log(), config.trustDomain(), new Reads(),
                config.clock().instant());
        Svid svid = arrived.svid();
        bundle = arrived.bundle();
        Svid old = current.getAndSet(svid);
        // Verified and current: from here on new handshakes present it; connections already open keep the old one.
        privateHttp = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).sslContext(sslContext()).build();
        if (old != null) {
            LOG.log(System.Logger.Level.INFO, "renewed " + old + " as " + svid);
        }
        scheduleRenewal(svid);
        return svid;
    }

    private void scheduleRenewal(Svid svid) {
        Instant notBefore = svid.certificate().getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, svid.notAfter());
        Duration jitter = Duration.ofMillis(config.random().nextLong(lifetime.toMillis() / 10 + 1));
        Instant at = notBefore.plus(lifetime.dividedBy(2)).minus(jitter);
        Duration delay = Duration.between(config.clock().instant(), at);
        timer.schedule(this::renewOnTime, delay.isNegative() ? Duration.ZERO : delay);
    }

    private void renewOnTime() {
        try {
            renew();
        } catch (AgentException e) {
            if (e.reason() == AgentException.Reason.REVOKED || e.reason() == AgentException.Reason.CLOSED) {
                return;
            }
            Svid svid = current.get();
            Duration left = Duration.between(config.clock().instant(), svid.notAfter());
            Duration retry = left.dividedBy(10).compareTo(MIN_RETRY) < 0 ? MIN_RETRY : left.dividedBy(10);
            LOG.log(System.Logger.Level.WARNING, "renewal of " + svid + " failed (" + e.getMessage() + "); retrying in " + retry);
            timer.schedule(this::renewOnTime, retry);
        }
    }

    /** The current SVID unless the agent is closed or its identity revoked (checked against the feed now). */
    private Optional<Svid> usable() {
        Svid svid = current.get();
        if (svid == null || closed || revoked) {
            return Optional.empty();
        }
        if (config.revocations().isPresent()) {
            RevocationStatus status = config.revocations().get().check(ids(svid));
            if (status instanceof RevocationStatus.Revoked hit) {
                revokedBecause = hit.toString();
                revoked = true;
                LOG.log(System.Logger.Level.WARNING, expected + " is revoked (" + hit + "); it stops using its identity");
                return Optional.empty();
            }
        }
        return Optional.of(svid);
    }

    private Svid requireUsable() throws AgentException {
        Optional<Svid> svid = usable();
        if (svid.isPresent()) {
            return svid.get();
        }
        if (revoked) {
            throw new AgentException(AgentException.Reason.REVOKED, expected + " is revoked; it no longer uses its identity: " + revokedBecause);
        }
        throw new AgentException(AgentException.Reason.CLOSED, "the agent " + expected + " is closed");
    }

    private CredentialIds ids(Svid svid) {
        CredentialIds ids = CredentialIds.none().withSpiffeId(expected.value()).withSerial(svid.serialHex());
        String[] segments = expected.path().split("/");
        if (segments.length == 4 && segments[1].equals("agent")) {
            ids = ids.withAgentInstance(segments[3]);
        }
        return ids;
    }

    /** The public reads the arrival checks make. */
    private final class Reads implements Arrival.PublicReads {
        @Override
        public String bundle() throws AgentException {
            HttpResponse<String> response = call(publicHttp, HttpRequest.newBuilder(config.publicUrl().resolve("/api/v1/bundle")).GET(), "trust bundle");
            if (response.statusCode() != 200) {
                throw new AgentException(AgentException.Reason.UNAVAILABLE, "trust bundle: HTTP " + response.statusCode());
            }
            return response.body();
        }

        @Override
        public byte[] entry(long index) throws AgentException {
            Map<String, Object> body = send(publicHttp, HttpRequest.newBuilder(config.publicUrl().resolve("/api/v1/entries/" + index)).GET(),
                    null, "log entry " + index);
            try {
                return Base64.getDecoder().decode(Arrival.string(body.get("entry_base64"), "entry_base64"));
            } catch (VerificationException | IllegalArgumentException e) {
                throw new AgentException(AgentException.Reason.UNAVAILABLE, "log entry " + index + ": " + e.getMessage(), e);
            }
        }
    }

    /** Sends {@code request} (a JSON POST when {@code body} is given) and returns the JSON object of a 200 answer. */
    private Map<String, Object> send(HttpClient http, HttpRequest.Builder request, String body, String what) throws AgentException {
        if (body != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = call(http, request, what);
        Map<String, Object> json = json(response, what);
        if (response.statusCode() != 200) {
            throw new AgentException(AgentException.Reason.REFUSED, what + " refused: HTTP " + response.statusCode() + " "
                    + json.getOrDefault("error", ""));
        }
        return json;
    }

    private HttpResponse<String> exchangeHttp(HttpRequest.Builder request, String what) throws AgentException {
        return call(privateHttp, request, what);
    }

    private static HttpResponse<String> call(HttpClient http, HttpRequest.Builder request, String what) throws AgentException {
        try {
            return http.send(request.timeout(HTTP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.UNAVAILABLE, what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.Reason.UNAVAILABLE, what + ": interrupted", e);
        }
    }

    private static Map<String, Object> json(HttpResponse<String> response, String what) throws AgentException {
        try {
            return Arrival.object(Json.parse(response.body()), what + " answer");
        } catch (VerificationException | IllegalArgumentException e) {
            throw new AgentException(AgentException.Reason.UNAVAILABLE, what + ": HTTP " + response.statusCode()
                    + " with no JSON object: " + e.getMessage(), e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    private static String csr(KeyPair key) {
        try {
            return Base64.getEncoder().encodeToString(CertificationRequest.of(key));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with SHA256withECDSA", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A JSON string literal (RFC 8259 section 7). */
    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
