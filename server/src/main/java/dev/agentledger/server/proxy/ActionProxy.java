package dev.agentledger.server.proxy;

import dev.agentledger.issuer.CryptoProvider;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.grpc.UnauthenticatedException;
import dev.agentledger.server.proxy.ProxyConfig.Upstream;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.guard.LogProof;
import dev.agentledger.verifierclient.guard.ToolGuard;
import dev.agentledger.verifierclient.replay.AuthorityConsumption;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationCacheConfig;
import dev.agentledger.verifierclient.svid.BundleSource;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The action proxy: one mTLS listener in front of upstream tools that cannot embed the verifier
 * client. Each call must come with an X509-SVID of the trust domain and a single-use capability
 * token for the upstream's audience and for the action and resource its configuration maps the
 * method and path to; the proxy checks it with the verifier client's {@link ToolGuard} (spending
 * the token at the authority, which logs {@code TokenConsumed}), applies per-caller rate limits
 * and quotas, forwards the call with the upstream's real credential injected from the encrypted
 * {@link SecretStore}, and records every forwarded or refused call in the log as
 * {@code ToolCallRecorded} ({@link ProxyHandler} says when). It trusts the authority through its
 * public material (trust bundle, token keys, pinned log key, revocation feed) and the CA of its
 * private listener.
 *
 * <p>With a data directory, the proxy keeps a {@link CallJournal}: each call's record is durable
 * in it before the call is forwarded and is logged after the answer ({@link RecordShipper}); for
 * an upstream served under the proxy's own identity (the tokens' audience is this proxy and no
 * one else), the journal also spends the token, in the same write, instead of the authority.
 */
public final class ActionProxy implements AutoCloseable {
    /** The largest request body forwarded. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final Duration BUNDLE_STALENESS = Duration.ofHours(1);

    private final WebServer server;
    private final RevocationCache revocations;
    private final List<ToolCallRecorder> recorders;
    private final Forwarding forwarding;
    private final Optional<CallJournal> journal;
    private final Optional<RecordShipper> shipper;

    private ActionProxy(WebServer server, RevocationCache revocations, List<ToolCallRecorder> recorders, Forwarding forwarding,
            Optional<CallJournal> journal, Optional<RecordShipper> shipper) {
        this.server = server;
        this.revocations = revocations;
        this.recorders = recorders;
        this.forwarding = forwarding;
        this.journal = journal;
        this.shipper = shipper;
    }

    /**
     * Starts the proxy described by {@code config}, with {@code secrets} when an upstream injects one.
     *
     * @throws ProxyConfigException if an identity file cannot be read, an upstream's identity is not
     *     its name, or an injected secret is not in the store
     * @throws IOException if the authority's public material cannot be fetched or verified
     */
    public static ActionProxy start(ProxyConfig config, Optional<SecretStore> secrets, InstantSource clock)
            throws ProxyConfigException, IOException {
        ProxyConfig.Authority authority = config.authority();
        Credentials identity = credentials(config.identity());
        X509Certificate ca = Pem.readCertificates(Path.of(authority.caCertificate())).get(0);
        HostPort privateAddress = privateAddress(authority.privateUrl());
        BundleSource bundle;
        TokenKeys keys;
        try {
            bundle = BundleSource.open(URI.create(authority.publicUrl() + "/api/v1/bundle"), authority.trustDomain(),
                    BUNDLE_STALENESS, clock);
            keys = TokenKeys.parse(get(authority.publicUrl() + "/api/v1/token-keys"));
        } catch (VerificationException e) {
            throw new IOException("the authority's trust bundle or token keys do not verify: " + e.getMessage(), e);
        }
        VerifierKey logKey = VerifierKey.parse(authority.logKey());
        LogVerifier logVerifier = LogVerifier.create(logKey.name(), logKey, List.of(), 0, CryptoProvider.fastest());
        RevocationCache revocations = RevocationCache.create(logVerifier, RevocationCacheConfig.of(authority.publicUrl())
                .withFreshness(authority.revocationFreshness()).withClock(clock));
        revocations.start();
        TokenVerifier tokens = new TokenVerifier(keys, authority.issuer(), clock, CryptoProvider.bouncyCastle()); // ES256 on a kept point
        Optional<LogProof> logProof = authority.requireLogProof() ? Optional.of(new LogProof(logVerifier, Optional.empty())) : Optional.empty();
        Map<String, ToolCallRecorder> recorders = new HashMap<>();
        List<ToolCallRecorder> opened = new ArrayList<>();
        Optional<CallJournal> journal = Optional.empty();
        Optional<RecordShipper> shipper = Optional.empty();
        try {
            if (config.dataDir() != null) {
                journal = Optional.of(CallJournal.open(Path.of(config.dataDir()).resolve("calls"), clock));
            }
            ToolCallRecorder own = recorder(recorders, opened, privateAddress, ca, identity);
            List<ProxiedTool> tools = new ArrayList<>();
            for (Upstream upstream : config.upstreams()) {
                Credentials as = upstream.identity() == null ? identity : credentials(upstream.identity());
                if (!spiffeId(as).equals(upstream.name())) {
                    throw new ProxyConfigException("upstream " + upstream.name() + " needs an SVID with that ID (the authority lets only "
                            + "a token's audience spend it), got " + spiffeId(as) + ": set upstreams.identity");
                }
                if (upstream.inject() != null && secrets.flatMap(s -> s.value(upstream.inject().secret())).isEmpty()) {
                    throw new ProxyConfigException("upstream " + upstream.name() + " injects secret " + upstream.inject().secret()
                            + ", which the secret store does not hold ('agentledger proxy secrets put " + upstream.inject().secret() + "')");
                }
                AuthorityConsumption consumption = new AuthorityConsumption(authority.privateUrl(), TlsContexts.of(List.of(ca), Optional.of(as)));
                ToolGuard guard = new ToolGuard(upstream.name(), bundle, tokens, revocations, consumption, logProof, clock);
                tools.add(new ProxiedTool(upstream.name(), upstream.prefix(), URI.create(upstream.url()),
                        upstream.routes().stream().map(r -> RoutePattern.compile(r, upstream.name())).toList(), guard,
                        new TokenBuckets(ProxiedTool.limitsOf(upstream), clock), recorder(recorders, opened, privateAddress, ca, as),
                        Optional.ofNullable(upstream.inject()), consumption, journal.isPresent() && upstream.identity() == null));
            }
            if (journal.isPresent()) {
                Map<String, ToolCallRecorder> byUpstream = new HashMap<>();
                tools.forEach(t -> byUpstream.put(t.name(), t.recorder()));
                shipper = Optional.of(new RecordShipper(journal.get(), name -> byUpstream.getOrDefault(name, own), RecordShipper.LINGER));
            }
            Map<URI, List<X509Certificate>> upstreamTrust = new HashMap<>();
            for (Upstream upstream : config.upstreams()) {
                if (upstream.caCertificate() != null) {
                    upstreamTrust.put(URI.create(upstream.url()), Pem.readCertificates(Path.of(upstream.caCertificate())));
                }
            }
            Forwarding forwarding = new Forwarding(upstreamTrust);
            Optional<CallJournal> calls = journal;
            Optional<RecordShipper> shipping = shipper;
            WebServer server = WebServer.builder()
                    .shutdownHook(false)
                    // No discovered feature (observe endpoints, their per-request metrics filter): every path is a proxied call.
                    .featuresDiscoverServices(false)
                    .host(config.listenAddress().host())
                    .port(config.listenAddress().port())
                    .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                    .tls(Tls.builder()
                            .privateKey(identity.key())
                            .privateKeyCertChain(identity.chain())
                            .trust(bundle.get().x509Authorities())
                            .clientAuth(TlsClientAuth.REQUIRED)
                            .build())
                    .routing(routing -> routing.any(new ProxyHandler(tools, own, forwarding, secrets, MAX_BODY_BYTES, calls, shipping)))
                    .build()
                    .start();
            return new ActionProxy(server, revocations, opened, forwarding, journal, shipper);
        } catch (GeneralSecurityException e) {
            shipper.ifPresent(RecordShipper::close);
            journal.ifPresent(CallJournal::close);
            opened.forEach(ToolCallRecorder::close);
            revocations.close();
            throw new ProxyConfigException("cannot build the TLS context of an identity: " + e.getMessage(), e);
        } catch (ProxyConfigException | IOException | RuntimeException e) {
            shipper.ifPresent(RecordShipper::close);
            journal.ifPresent(CallJournal::close);
            opened.forEach(ToolCallRecorder::close);
            revocations.close();
            throw e;
        }
    }

    private static ToolCallRecorder recorder(Map<String, ToolCallRecorder> recorders, List<ToolCallRecorder> opened,
            HostPort address, X509Certificate ca, Credentials as) throws IOException, ProxyConfigException {
        String id = spiffeId(as);
        ToolCallRecorder recorder = recorders.get(id);
        if (recorder == null) {
            recorder = new ToolCallRecorder(LedgerClient.connect(address, ca, Optional.of(as)));
            recorders.put(id, recorder);
            opened.add(recorder);
        }
        return recorder;
    }

    private static Credentials credentials(ProxyConfig.Identity identity) throws ProxyConfigException {
        try {
            return Credentials.read(Path.of(identity.key()), Path.of(identity.certificate()));
        } catch (IOException e) {
            throw new ProxyConfigException("cannot read the SVID " + identity.certificate() + " / " + identity.key() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String spiffeId(Credentials credentials) throws ProxyConfigException {
        try {
            return CallerIdentity.of(Optional.of(new java.security.cert.Certificate[] {credentials.certificate()})).value();
        } catch (UnauthenticatedException e) {
            throw new ProxyConfigException("not an X509-SVID: " + e.getMessage(), e);
        }
    }

    private static HostPort privateAddress(String privateUrl) {
        URI uri = URI.create(privateUrl);
        return new HostPort(uri.getHost(), uri.getPort() < 0 ? 443 : uri.getPort());
    }

    private static String get(String url) throws IOException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + url + " answered " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
    }

    /** The bound port of the listener. */
    public int port() {
        return server.port();
    }

    /**
     * Whether the revocation feed has been heard from within its freshness bound (before that,
     * every call is refused as {@code unavailable}).
     */
    public boolean revocationFeedFresh() {
        return revocations.check(dev.agentledger.verifierclient.revocation.CredentialIds.none())
                instanceof dev.agentledger.verifierclient.revocation.RevocationStatus.NotRevoked;
    }

    /** How many call records wait in the journal to be logged (0 without a journal). */
    public int unshipped() {
        return journal.map(CallJournal::unshipped).orElse(0);
    }

    /** Stops listening, ships what it can of the journal (a few seconds at most; the rest at the next start), and closes. */
    @Override
    public void close() {
        server.stop();
        shipper.ifPresent(RecordShipper::close);
        journal.ifPresent(CallJournal::close);
        revocations.close();
        recorders.forEach(ToolCallRecorder::close);
        forwarding.close();
    }
}
