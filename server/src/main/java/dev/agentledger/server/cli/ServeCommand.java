package dev.agentledger.server.cli;

import dev.agentledger.ledger.StorageException;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.DataDir;
import java.io.PrintWriter;
import java.net.URI;
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
            "over plain HTTP and a private gRPC API over mTLS for appending.",
            "The first start creates the log's checkpoint key, a bootstrap CA, the server certificate",
            "and the operator's client certificate in the data directory, and prints where they are.",
            "Stop with Ctrl-C: the listeners stop and the log is closed cleanly."
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Data directory: the log store, keys and certificates (created on first start).")
    Path data;

    @Option(names = "--public-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "Address of the public read API (plain HTTP). Default: ${DEFAULT-VALUE}.")
    String publicAddr;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8443",
            description = "Address of the private gRPC API (mTLS, bootstrap CA only). Default: ${DEFAULT-VALUE}.")
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
        Bootstrap.Prepared prepared;
        AgentLedgerServer server;
        try {
            prepared = Bootstrap.prepare(config.dataDir(), config.trustDomain(), config.origin(), InstantSource.system());
            warnIfExposed(config.publicAddress(), err);
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

    private ServerConfig config() throws CliException {
        try {
            List<SpiffeId> ids = appenders.stream().map(SpiffeId::parse).toList();
            return new ServerConfig(new DataDir(data), HostPort.parse(publicAddr), HostPort.parse(privateAddr),
                    Optional.ofNullable(trustDomain), Optional.ofNullable(origin), ids,
                    ServerConfig.DEFAULT_MAX_MESSAGE_BYTES, witnesses.stream().map(ServeCommand::witness).toList(),
                    Optional.ofNullable(policy));
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
        URI url = URI.create(spec.substring(0, eq));
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("--witness " + spec + ": the URL must be http or https");
        }
        VerifierKey key = VerifierKey.parse(spec.substring(eq + 1));
        if (key.type() != SignatureType.COSIGNATURE_V1) {
            throw new IllegalArgumentException("--witness " + spec + ": the key must be a cosignature/v1 key");
        }
        return new WitnessSubmitter.Witness(url, key);
    }

    private static void warnIfExposed(HostPort address, PrintWriter err) {
        if (!address.isLoopback()) {
            err.println("warning: the public read API listens on " + address
                    + ", reachable from other machines over plain HTTP. That is intended for a public log;");
            err.println("warning: use --public-addr 127.0.0.1:PORT to keep it on this machine.");
            err.flush();
        }
    }
}
