package dev.agentledger.server.cli;

import dev.agentledger.ledger.StorageException;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.config.ConfigException;
import dev.agentledger.server.config.ConfigFile;
import dev.agentledger.server.config.PublicTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger serve}: prepares the data directory and runs the log until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Runs the transparency log: a public read API (C2SP tiles, JSON, discovery, health, metrics)",
            "over plain HTTP on loopback (HTTPS on any other address) and a private gRPC API over mTLS.",
            "The first start creates the log's checkpoint key, a bootstrap CA, the server certificate",
            "and the operator's client certificate in the data directory, and prints where they are.",
            "Stop with Ctrl-C: the listeners stop and the log is closed cleanly."
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The data directory when neither {@code --data} nor the configuration file names one. */
    static final Path DEFAULT_DATA = Path.of("agentledger-data");

    @Option(names = "--config", paramLabel = "FILE",
            description = {"A YAML configuration file (see docs/agentledger.yaml): every setting below and more",
                    "(lifetimes, limits, key storage). Flags override the file; the file overrides the defaults."})
    Path configFile;

    @Option(names = "--print-config",
            description = "Print the effective configuration as YAML (no secrets) and exit.")
    boolean printConfig;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory: the log store, keys and certificates (created on first start). Default: ./agentledger-data.")
    Path data;

    @Option(names = "--public-addr", paramLabel = "HOST:PORT",
            description = {"Address of the public read API. Default: 127.0.0.1:8080. Plain HTTP on loopback only;",
                    "on any other address HTTPS (a certificate from the bootstrap CA, or listeners.public.tls in the file)."})
    String publicAddr;

    @Option(names = "--insecure-public-http",
            description = "Serve the public API over plain HTTP on a non-loopback address (warned about; not for production).")
    boolean insecurePublicHttp;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT",
            description = "Address of the private gRPC API (mTLS, bootstrap CA only). Default: 127.0.0.1:8443.")
    String privateAddr;

    @Option(names = "--trust-domain", paramLabel = "NAME",
            description = "SPIFFE trust domain, fixed at first start. Default: agentledger.local.")
    String trustDomain;

    @Option(names = "--origin", paramLabel = "ORIGIN",
            description = "Checkpoint origin line, fixed at first start. Default: <trust-domain>/log.")
    String origin;

    @Option(names = "--appender", paramLabel = "SPIFFE_ID",
            description = "An identity allowed to append (repeatable). Default: spiffe://<trust-domain>/operator.")
    List<String> appenders = new ArrayList<>();

    @Option(names = "--witness", paramLabel = "URL=VKEY",
            description = {"A tlog-witness to submit checkpoints to (repeatable): its base URL and its",
                    "cosignature/v1 verifier key. /checkpoint then serves the latest checkpoint they cosigned."})
    List<String> witnesses = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE",
            description = {"The Cedar policy set the token exchange decides with (logged as PolicyPublished when it",
                    "changes). Default: the embedded policy (payments and deletions wait for an approver)."})
    Path policy;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = config();
        if (printConfig) {
            out.print(ConfigFile.write(config));
            out.flush();
            return 0;
        }
        Bootstrap.Prepared prepared;
        AgentLedgerServer server;
        try {
            prepared = Bootstrap.prepare(config.dataDir(), config.trustDomain(), config.origin(), InstantSource.system());
            warnIfExposed(config, err);
            server = AgentLedgerServer.start(config, prepared, InstantSource.system());
        } catch (BootstrapException e) {
            throw new CliException(e.getMessage(), e);
        } catch (StorageException e) {
            throw new CliException("refusing to start, nothing was signed: " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "agentledger-shutdown"));
        StartupReport.print(out, prepared, server, config);
        out.flush();
        stopped.await();
        return 0;
    }

    /** The embedded defaults, overridden by the configuration file, overridden by the flags given. */
    ServerConfig config() throws CliException {
        ServerConfig config = ServerConfig.of(new DataDir(DEFAULT_DATA));
        if (configFile != null) {
            try {
                config = ConfigFile.read(configFile, config);
            } catch (ConfigException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        try {
            if (data != null) {
                config = new ServerConfig(new DataDir(data), config.publicAddress(), config.privateAddress(), config.trustDomain(),
                        config.origin(), config.appenders(), config.maxMessageBytes(), config.witnesses(), config.policyFile(),
                        config.tuning(), config.keys(), config.publicTls());
            }
            config = config.withAddresses(publicAddr == null ? config.publicAddress() : HostPort.parse(publicAddr),
                    privateAddr == null ? config.privateAddress() : HostPort.parse(privateAddr));
            if (trustDomain != null || origin != null) {
                config = new ServerConfig(config.dataDir(), config.publicAddress(), config.privateAddress(),
                        trustDomain != null ? Optional.of(trustDomain) : config.trustDomain(),
                        origin != null ? Optional.of(origin) : config.origin(), config.appenders(), config.maxMessageBytes(),
                        config.witnesses(), config.policyFile(), config.tuning(), config.keys(), config.publicTls());
            }
            if (!appenders.isEmpty()) {
                config = config.withAppenders(appenders.stream().map(SpiffeId::parse).toList());
            }
            if (!witnesses.isEmpty()) {
                config = config.withWitnesses(witnesses.stream().map(ServeCommand::witness).toList());
            }
            if (policy != null) {
                config = config.withPolicyFile(policy);
            }
            if (insecurePublicHttp) {
                PublicTls tls = config.publicTls();
                config = config.withPublicTls(new PublicTls(tls.certificate(), tls.key(), true, tls.names()));
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /** Parses {@code URL=VKEY}, split at the first {@code =} (a witness's base URL has no query). */
    static WitnessSubmitter.Witness witness(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--witness " + spec + ": want URL=VKEY");
        }
        try {
            return new WitnessSubmitter.Witness(ConfigFile.witnessUrl(spec.substring(0, eq)),
                    ConfigFile.cosignatureKey(spec.substring(eq + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--witness " + spec + ": " + e.getMessage(), e);
        }
    }

    private static void warnIfExposed(ServerConfig config, PrintWriter err) {
        if (!config.publicAddress().isLoopback() && config.publicTls().insecureHttp()) {
            err.println("warning: the public API listens on " + config.publicAddress()
                    + ", reachable from other machines over PLAIN HTTP (--insecure-public-http):");
            err.println("warning: anyone on the path can read and alter what clients fetch. Drop the flag to serve HTTPS.");
            err.flush();
        }
    }
}
