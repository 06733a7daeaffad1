package dev.agentledger.server;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.server.ops.BackupHttpService;
import dev.agentledger.server.ops.Backups;
import dev.agentledger.server.ops.KeyRotationHttpService;
import dev.agentledger.server.observe.WitnessMeters;
import java.util.Optional;

import dev.agentledger.issuer.CryptoProvider;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.IssuerConfig;
import dev.agentledger.issuer.Consumptions;
import dev.agentledger.issuer.Delegations;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.issuer.TokenExchange;
import dev.agentledger.issuer.policy.CedarPolicyGate;
import dev.agentledger.issuer.policy.PolicyConfig;
import dev.agentledger.issuer.policy.PolicyException;
import dev.agentledger.server.issuance.ApprovalsHttpService;
import dev.agentledger.server.issuance.ConsoleLoginHttpService;
import dev.agentledger.server.issuance.ConsoleSvids;
import dev.agentledger.server.observe.IssuanceMeters;
import dev.agentledger.server.issuance.AuthorizationHttpService;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.KeyPassphrase;
import dev.agentledger.server.grpc.IssuerGrpcService;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Map;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.grpc.Appenders;
import dev.agentledger.server.grpc.LedgerGrpcService;
import dev.agentledger.server.auth.RevokedCallers;
import dev.agentledger.server.config.Connections;
import dev.agentledger.server.http.SlowClients;
import dev.agentledger.server.grpc.PeerCertificates;
import dev.agentledger.server.http.PublicApi;
import dev.agentledger.server.observe.LedgerHealthCheck;
import dev.agentledger.server.observe.LedgerMeters;
import dev.agentledger.server.observe.RevocationMeters;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.revocation.RevocationsConfig;
import dev.agentledger.server.revocation.RevocationFeedHttpService;
import dev.agentledger.server.revocation.RevocationGrpcService;
import dev.agentledger.server.revocation.RevokeHttpService;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Metrics;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running server: the log, its public listener (plain HTTP: C2SP tiles, JSON API, discovery,
 * health and metrics) and its private listener (gRPC over mTLS, trusting only the bootstrap CA).
 * {@link #close()} stops both listeners, then closes the log.
 */
public final class AgentLedgerServer implements AutoCloseable {
    /** The id of the policy set the token exchange decides with (logged in every decision). */
    static final String POLICY_ID = "agentledger";
    /** How often pending approvals are checked for expiry. */
    private static final int SWEEP_SECONDS = 5;
    /** The name of the private listener's socket. */
    static final String PRIVATE_SOCKET = "private";

    private final Ledger ledger;
    private final Optional<WitnessSubmitter> submitter;
    private final Revocations revocations;
    private final WebServer webServer;
    private final HostPort publicAddress;
    private final HostPort privateAddress;
    private final java.util.concurrent.ScheduledExecutorService sweeper;
    private final String scheme;

    private AgentLedgerServer(Ledger ledger, Optional<WitnessSubmitter> submitter, Revocations revocations,
            WebServer webServer, HostPort publicAddress, HostPort privateAddress,
            java.util.concurrent.ScheduledExecutorService sweeper, String scheme) {
        this.scheme = scheme;
        this.sweeper = sweeper;
        this.ledger = ledger;
        this.submitter = submitter;
        this.revocations = revocations;
        this.webServer = webServer;
        this.publicAddress = publicAddress;
        this.privateAddress = privateAddress;
    }

    /**
     * Small request-response messages must leave at once: with Nagle's algorithm on (Helidon's
     * default) each gRPC answer waited about 40 ms for the client's delayed ACK.
     */
    private static final SocketOptions NO_DELAY = SocketOptions.builder().tcpNoDelay(true).build();

    /**
     * Opens the log in the prepared data directory and starts both listeners.
     *
     * @throws dev.agentledger.ledger.StorageException if the log cannot be opened
     * @throws RuntimeException from Helidon if a listener cannot bind
     */
    public static AgentLedgerServer start(ServerConfig config, Bootstrap.Prepared prepared, InstantSource clock)
            throws BootstrapException {
        KeyPassphrase.Resolved passphrase = prepared.passphrase();
        Ed25519NoteSigner signer = Ed25519NoteSigner.create(prepared.logKey(), CryptoProvider.fastest());
        Ed25519NoteVerifier verifier = Ed25519NoteVerifier.create(prepared.logKey().verifierKey(), CryptoProvider.fastest());
        Ledger ledger = Ledger.open(LedgerConfig.of(prepared.dir().ledger(), prepared.settings().origin(), signer, verifier)
                .withIndexer(LogEntryIndexer.INSTANCE)
                .withMetrics(new LedgerMeters(Metrics.globalRegistry())));
        Optional<WitnessSubmitter> submitter = Optional.empty();
        Revocations revocations = null;
        try {
            // A store behind the checkpoint its witnesses cosigned must not sign, witnesses configured or not.
            WitnessSubmitter.persisted(ledger, prepared.dir().witnessedCheckpoint());
            auditInBackground(ledger);
            revocations = Revocations.open(ledger, revocationsConfig(config.tuning(), clock));
            Revocations feed = revocations;
            RevocationMeters revocationMeters = RevocationMeters.global(clock);
            if (!config.witnesses().isEmpty()) {
                submitter = Optional.of(WitnessSubmitter.create(ledger, config.witnesses(),
                        prepared.dir().witnessedCheckpoint(), clock, duration -> Thread.sleep(duration),
                        new WitnessMeters(Metrics.globalRegistry()), config.tuning().witnessInterval(),
                        config.tuning().witnessTimeout()));
            }
            Issuer issuer = openIssuer(ledger, prepared, config, clock, passphrase);
            Registrations registrations = new Registrations(issuer, ledger);
            Roles roles = Roles.of(prepared.settings().trustDomain(), Map.of());
            CedarPolicyGate gate = openGate(ledger, issuer, prepared, config);
            TokenExchange exchange = new TokenExchange(issuer, IssuanceMeters.global().metered(gate));
            ConsoleSvids consoleSvids = new ConsoleSvids(issuer, clock);
            Optional<WitnessSubmitter> witnessing = submitter;
            Appenders appenders = new Appenders(config.appenders().isEmpty()
                    ? Set.of(prepared.operatorId()) : Set.copyOf(config.appenders()));
            RevokedCallers revokedCallers = RevokedCallers.of(revocations);
            Optional<Tls> publicTls = publicTls(config, prepared, clock);
            String scheme = publicTls.isPresent() ? "https://" : "http://";
            AtomicReference<String> baseUrl = new AtomicReference<>(scheme + config.publicAddress());
            AtomicReference<String> privateUrl = new AtomicReference<>(config.privateAddress().toString());
            SlowClients slowClients = SlowClients.of(config.tuning().connections().requestTimeout());
            Metrics.globalRegistry().getOrCreate(FunctionalCounter.builder("agentledger.connections.closed.slow",
                            SlowClients.class, c -> SlowClients.closedInProcess())
                    .description("connections closed for not delivering a whole request within connections.request-timeout"));
            WebServer server = WebServer.builder()
                    .shutdownHook(false)
                    .host(config.publicAddress().host())
                    .port(config.publicAddress().port())
                    .update(builder -> connections(builder, config.tuning().connections(), slowClients))
                    .update(builder -> publicTls.ifPresent(builder::tls))
                    .routing(routing -> PublicApi.configure(routing.addFilter(slowClients.httpFilter()).register("/api/v1", new RevocationFeedHttpService(feed, config.tuning().revocationSseStreams(), revocationMeters))
                            .register("/api/v1", new ApprovalsHttpService(gate.approvals(), roles, consoleSvids::caller)), ledger,
                            issuer, registrations,
                            prepared.logKey().verifierKey().toString(), baseUrl::get, privateUrl::get, witnessing))
                    .addFeature(ObserveFeature.builder()
                            .addObserver(HealthObserver.builder().details(true).useSystemServices(false)
                                    .addCheck(new LedgerHealthCheck(ledger)).build())
                            .addObserver(MetricsObserver.create())
                            .build())
                    .putSocket(PRIVATE_SOCKET, socket -> socket
                            .host(config.privateAddress().host())
                            .port(config.privateAddress().port())
                            .update(builder -> connections(builder, config.tuning().connections(), slowClients))
                            .tls(privateTls(prepared, issuer))
                            .maxPayloadSize(config.maxMessageBytes())
                            // Hashes, signatures and proofs do not compress: gzip per message only burns CPU (it
                            // dominated the revocation fan-out profile).
                            .addProtocol(GrpcConfig.builder().maxReadBufferSize(config.maxMessageBytes())
                                    .enableCompression(false).build())
                            .addProtocol(http2())
                            .addRouting(HttpRouting.builder()
                                    .addFilter(slowClients.httpFilter())
                                    .addFilter(revokedCallers.httpFilter())
                                    .register(new AuthorizationHttpService(exchange, new Delegations(issuer), new Consumptions(issuer, ledger), roles))
                                    .register("/api/v1", new ApprovalsHttpService(gate.approvals(), roles))
                                    .register("/api/v1", new ConsoleLoginHttpService(consoleSvids, roles))
                                    .register("/api/v1", new RevokeHttpService(feed, roles))
                                    .register("/api/v1", new dev.agentledger.server.issuance.SvidRenewalHttpService(issuer, registrations))
                                    .register("/api/v1", new BackupHttpService(new Backups(prepared.dir(), ledger), roles))
                                    .register("/api/v1", new KeyRotationHttpService(issuer, roles)))
                            .addRouting(GrpcRouting.builder()
                                    .intercept(slowClients.grpcInterceptor())
                                    .intercept(new dev.agentledger.server.grpc.FailedCalls())
                                    .service(new LedgerGrpcService(ledger, appenders, roles, clock, revokedCallers.screen(PeerCertificates.helidon())))
                                    .service(new IssuerGrpcService(issuer, registrations, exchange, roles, revokedCallers.screen(PeerCertificates.helidon())))
                                    .service(new RevocationGrpcService(feed, roles,
                                            prepared.settings().trustDomain(), revokedCallers.screen(PeerCertificates.helidon()), revocationMeters))))
                    .build()
                    .start();
            dev.agentledger.server.http.Http2ConnectionFailures.raise();
            HostPort publicBound = config.publicAddress().withPort(server.port());
            HostPort privateBound = config.privateAddress().withPort(server.port(PRIVATE_SOCKET));
            baseUrl.set(scheme + publicBound);
            privateUrl.set(privateBound.toString());
            submitter.ifPresent(WitnessSubmitter::start);
            revocations.start();
            revokedCallers.start();
            return new AgentLedgerServer(ledger, submitter, revocations, server, publicBound, privateBound,
                    expirySweeper(gate, issuer), scheme);
        } catch (RuntimeException e) {
            submitter.ifPresent(WitnessSubmitter::close);
            if (revocations != null) {
                revocations.close();
            }
            ledger.close();
            throw e;
        }
    }

    /**
     * HTTP/2 on the private listener: the default window (1 MiB) with a largest frame above a
     * quarter of it. Helidon then gives back the inbound window as it is consumed, one
     * WINDOW_UPDATE per read, instead of deferring updates until half the window is used: its
     * deferring counter for the connection's window is shared by the concurrent streams without
     * synchronization, and under load two streams could send a WINDOW_UPDATE with increment 0,
     * which the client must treat as a connection error (RFC 9113 section 6.9), failing every call
     * on that connection.
     */
    private static Http2Config http2() {
        int window = 1 << 20;
        return Http2Config.builder().initialWindowSize(window).maxFrameSize(window / 2).build();
    }

    /**
     * A listener's connection handling: no Nagle delay, the request timeout of {@code slowClients}
     * from accept, the idle sweep and the connection limit of {@code connections}.
     */
    private static void connections(ListenerConfig.BuilderBase<?, ?> listener, Connections connections, SlowClients slowClients) {
        listener.connectionOptions(slowClients.watching(NO_DELAY))
                .maxTcpConnections(connections.maxPerListener())
                .idleConnectionTimeout(connections.idleTimeout())
                .idleConnectionPeriod(connections.idleCheckPeriod());
    }

    /** The revocation feed's defaults with the configured heartbeat, retention, subscriber queue and coalescing window. */
    private static RevocationsConfig revocationsConfig(dev.agentledger.server.config.Tuning tuning, InstantSource clock) {
        RevocationsConfig d = RevocationsConfig.of(clock);
        return new RevocationsConfig(clock, tuning.revocationHeartbeat(), d.tailInterval(), tuning.revocationRetention(),
                tuning.revocationSubscriberQueue(), d.eventCache(), d.maxAffectedBytes(), tuning.revocationCoalesce());
    }

    /**
     * The open audited only what was appended since the last audit; the rest of the store is
     * audited while the server serves, and a damage found stops the log (not ready, signs nothing).
     */
    private static void auditInBackground(Ledger ledger) {
        System.Logger log = System.getLogger(AgentLedgerServer.class.getName());
        long start = System.nanoTime();
        ledger.auditInBackground().whenComplete((audited, failure) -> {
            if (failure == null) {
                log.log(System.Logger.Level.INFO, "store audit passed: " + audited.size() + " entries in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            } else if (!(failure instanceof java.util.concurrent.CancellationException)) {
                log.log(System.Logger.Level.ERROR, "store audit FAILED, the log has stopped and signs nothing more: "
                        + failure.getMessage() + "; stop the server, run `agentledger log audit --data DIR`, and restore"
                        + " the data directory from a backup");
            }
        });
    }

    /**
     * Logs the expiry of pending approvals nobody decided, every {@value #SWEEP_SECONDS} seconds,
     * so agents waiting on one hear it ended; and rotates the issuer's keys that are due (a third
     * of their lifetime left), at start and every hour.
     */
    private static java.util.concurrent.ScheduledExecutorService expirySweeper(CedarPolicyGate gate, Issuer issuer) {
        var sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("approval-expiry").daemon(true).factory());
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                for (Issuer.KeyRole role : issuer.rotateDue()) {
                    System.getLogger(AgentLedgerServer.class.getName()).log(System.Logger.Level.INFO,
                            "rotated the " + KeyRotationHttpService.name(role) + " key: a third of its lifetime was left");
                }
            } catch (IssuanceException | RuntimeException e) {
                System.getLogger(AgentLedgerServer.class.getName()).log(System.Logger.Level.WARNING,
                        "could not rotate a key that is due; retrying in an hour", e);
            }
        }, 0, 1, java.util.concurrent.TimeUnit.HOURS);
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                gate.approvals().expireDue();
            } catch (IssuanceException | RuntimeException e) {
                System.getLogger(AgentLedgerServer.class.getName()).log(System.Logger.Level.WARNING,
                        "could not log the expiry of pending approvals; retrying", e);
            }
        }, SWEEP_SECONDS, SWEEP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        return sweeper;
    }

    /**
     * The policy gate of the token exchange, on the configured policy file or the embedded default;
     * the text is logged as {@code PolicyPublished} when it differs from the last published one.
     *
     * @throws BootstrapException if the file cannot be read, the policy is refused, or its
     *     publication could not be logged
     */
    private static CedarPolicyGate openGate(Ledger ledger, Issuer issuer, Bootstrap.Prepared prepared, ServerConfig config)
            throws BootstrapException {
        String text;
        String source;
        try {
            if (config.policyFile().isPresent()) {
                source = config.policyFile().get().toString();
                text = java.nio.file.Files.readString(config.policyFile().get());
            } else {
                source = "the embedded default policy";
                try (java.io.InputStream in = Issuer.class.getResourceAsStream("/policies/default.cedar")) {
                    text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        } catch (java.io.IOException e) {
            throw new BootstrapException("cannot read the policy " + config.policyFile().orElseThrow() + ": " + e.getMessage(), e);
        }
        try {
            return CedarPolicyGate.open(ledger,
                    PolicyConfig.of(issuer.config()).withApprovalLifetime(config.tuning().approvalLifetime()), POLICY_ID, text, prepared.operatorId());
        } catch (PolicyException e) {
            throw new BootstrapException("the policy in " + source + " is refused: " + e.getMessage(), e);
        } catch (IssuanceException e) {
            throw new BootstrapException("the policy could not be published to the log: " + e.getMessage(), e);
        }
    }

    /**
     * The issuer over the log, with its keys in the data directory, encrypted with the key passphrase.
     *
     * @throws BootstrapException if the keys cannot be read (wrong passphrase, damaged files) or
     *     their first publication could not be logged
     */
    private static Issuer openIssuer(Ledger ledger, Bootstrap.Prepared prepared, ServerConfig config, InstantSource clock,
            KeyPassphrase.Resolved passphrase) throws BootstrapException {
        IssuerConfig defaults = IssuerConfig.of(prepared.settings().trustDomain());
        IssuerConfig issuerConfig = new IssuerConfig(defaults.trustDomain(), clock, defaults.random(),
                config.tuning().keyLifetime(), config.tuning().bundleRefreshHint());
        try {
            if (config.keys() instanceof dev.agentledger.server.config.KeyStorage.Pkcs11 pkcs11) {
                return Issuer.open(ledger, issuerConfig, prepared.dir().issuerKeys(),
                        dev.agentledger.server.bootstrap.Pkcs11Token.open(pkcs11));
            }
            return Issuer.open(ledger, issuerConfig,
                    prepared.dir().issuerKeys(), passphrase.value());
        } catch (java.security.UnrecoverableKeyException e) {
            throw new BootstrapException("cannot decrypt the issuer keys in " + prepared.dir().issuerKeys()
                    + ": wrong passphrase (" + KeyPassphrase.VARIABLE + " or " + prepared.dir().keyPassphrase() + ") or damaged files", e);
        } catch (java.io.IOException | java.security.GeneralSecurityException | IssuanceException e) {
            throw new BootstrapException("cannot open the issuer keys in " + prepared.dir().issuerKeys() + ": " + e.getMessage(), e);
        }
    }

    /**
     * TLS of the private listener: the server certificate; client certificates required, from the
     * bootstrap CA (operator, services) or the issuer's CAs (agents' X509-SVIDs) only.
     */
    private static Tls privateTls(Bootstrap.Prepared prepared, Issuer issuer) {
        List<X509Certificate> trusted = new ArrayList<>();
        trusted.add(prepared.caCertificate());
        trusted.addAll(issuer.trustBundle().x509Authorities());
        return Tls.builder()
                .privateKey(prepared.server().key())
                .privateKeyCertChain(prepared.server().chain())
                .trust(trusted)
                .clientAuth(TlsClientAuth.REQUIRED)
                .build();
    }

    /**
     * TLS of the public listener: none on a loopback address or when plain HTTP is insisted on
     * ({@code --insecure-public-http}, warned about); else the configured certificate and key, or a
     * certificate the bootstrap CA issues at each start for the listener's host and configured names.
     *
     * @throws BootstrapException if the configured files cannot be read or the CA cannot issue
     */
    private static Optional<Tls> publicTls(ServerConfig config, Bootstrap.Prepared prepared, InstantSource clock)
            throws BootstrapException {
        HostPort address = config.publicAddress();
        if (address.isLoopback()) {
            return Optional.empty();
        }
        if (config.publicTls().insecureHttp()) {
            System.getLogger(AgentLedgerServer.class.getName()).log(System.Logger.Level.WARNING,
                    "the public listener serves plain HTTP on " + address + ", which is not loopback (--insecure-public-http)");
            return Optional.empty();
        }
        char[] passphrase = prepared.passphrase().value();
        dev.agentledger.server.bootstrap.Credentials credentials;
        try {
            if (config.publicTls().certificate().isPresent()) {
                credentials = dev.agentledger.server.bootstrap.Credentials.read(config.publicTls().key().orElseThrow(),
                        config.publicTls().certificate().get(), passphrase);
            } else {
                List<String> hosts = new ArrayList<>(config.publicTls().names());
                if (address.host().equals("0.0.0.0") || address.host().equals("::")) {
                    hosts.addAll(List.of("localhost", "127.0.0.1", "::1", java.net.InetAddress.getLocalHost().getHostName()));
                } else {
                    hosts.add(address.host());
                }
                credentials = Bootstrap.certificateAuthority(prepared.dir(), passphrase, clock).issueServer(
                        dev.agentledger.proto.SpiffeId.of(prepared.settings().trustDomain(), Bootstrap.SERVER_PATH), hosts);
            }
        } catch (java.io.IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new BootstrapException("cannot set up HTTPS for the public listener on " + address + ": " + e.getMessage(), e);
        }
        return Optional.of(Tls.builder()
                .privateKey(credentials.key())
                .privateKeyCertChain(credentials.chain())
                .build());
    }

    /** The log this server serves. */
    public Ledger ledger() {
        return ledger;
    }

    /** Revocation over this server's log. */
    public Revocations revocations() {
        return revocations;
    }

    /** The witness submitter, if witnesses are configured. */
    public Optional<WitnessSubmitter> witnessSubmitter() {
        return submitter;
    }

    /** The public listener's bound address. */
    public HostPort publicAddress() {
        return publicAddress;
    }

    /** The private listener's bound address. */
    public HostPort privateAddress() {
        return privateAddress;
    }

    /** The public base URL, {@code http://host:port}. */
    public String publicUrl() {
        return scheme + publicAddress;
    }

    /**
     * Stops the witness submitter, cuts off revocation watchers (they resume elsewhere or later),
     * stops the listeners (in-flight calls finish or fail), then closes the log.
     */
    @Override
    public void close() {
        try {
            sweeper.shutdownNow();
            submitter.ifPresent(WitnessSubmitter::close);
            revocations.close();
            webServer.stop();
        } finally {
            ledger.close();
        }
    }
}
