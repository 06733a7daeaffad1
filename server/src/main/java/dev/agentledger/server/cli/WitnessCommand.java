package dev.agentledger.server.cli;

import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.WitnessKeys;
import dev.agentledger.server.witness.WitnessServer;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger witness}: runs a C2SP tlog-witness that cosigns checkpoints of the given logs. */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = {
            "Runs a transparency log witness (c2sp.org/tlog-witness). POST /add-checkpoint",
            "takes a log's signed checkpoint with a consistency proof from the size this",
            "witness last cosigned, and answers with a cosignature/v1 line",
            "(c2sp.org/tlog-cosignature) only if the log's key signed the checkpoint and it",
            "extends what this witness cosigned before. The latest size and root of each log",
            "are kept in the data directory, so a restarted witness never cosigns a fork or",
            "a rollback.",
            "The first start generates the witness key (witness.key, mode 0600) in the data",
            "directory and prints the witness's verifier key; give it to verifiers.",
            "Answers: 200 cosignature; 400 malformed, or old size above the checkpoint's;",
            "403 not signed by the log; 404 unknown log; 409 old size is not the latest",
            "cosigned (body: that size), or same size with another root; 422 the proof does",
            "not verify."
        })
final class WitnessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Data directory: the witness key and the latest cosigned checkpoint per log.")
    Path data;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7380",
            description = "Address to listen on (plain HTTP). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "agentledger-witness",
            description = "The witness key's name, fixed at first start. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--log", required = true, paramLabel = "ORIGIN=VKEY",
            description = "A log to witness: its checkpoint origin and its note verifier key, as printed by serve"
                    + " (repeatable; repeat an origin to trust several keys).")
    List<String> logs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, List<VerifierKey>> trusted = parseLogs(logs);
        HostPort address;
        try {
            address = HostPort.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new CliException("--listen: " + e.getMessage(), e);
        }
        WitnessKeys.Loaded key;
        try {
            key = WitnessKeys.loadOrCreate(data, name);
        } catch (BootstrapException e) {
            throw new CliException(e.getMessage(), e);
        }
        Witness witness = Witness.create(CosignatureV1Signer.create(key.key(), InstantSource.system()), trusted,
                new FileWitnessStore(data.resolve("state")));
        WitnessServer server = WitnessServer.start(witness, address);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "agentledger-witness-shutdown"));
        out.println((key.created() ? "Created the witness key in " : "Witness key from ")
                + data.resolve(WitnessKeys.KEY_FILE));
        out.println("Witness verifier key: " + witness.verifierKey());
        out.println("Witnessing: " + String.join(", ", trusted.keySet()));
        out.println("Listening: " + server.url() + "/add-checkpoint");
        out.flush();
        stopped.await();
        return 0;
    }

    /** Parses the {@code --log ORIGIN=VKEY} options into origin to keys. */
    static Map<String, List<VerifierKey>> parseLogs(List<String> options) throws CliException {
        Map<String, List<VerifierKey>> trusted = new TreeMap<>();
        for (String option : options) {
            int equals = option.indexOf('=');
            if (equals <= 0 || equals == option.length() - 1) {
                throw new CliException("--log \"" + option + "\" is not ORIGIN=VKEY");
            }
            String origin = option.substring(0, equals);
            VerifierKey key;
            try {
                key = VerifierKey.parse(option.substring(equals + 1));
            } catch (IllegalArgumentException e) {
                throw new CliException("--log " + origin + ": bad verifier key: " + e.getMessage(), e);
            }
            if (key.type() != SignatureType.ED25519) {
                throw new CliException("--log " + origin + ": key " + key + " is a " + key.type()
                        + " key, want the log's Ed25519 note key");
            }
            trusted.computeIfAbsent(origin, o -> new ArrayList<>()).add(key);
        }
        return trusted;
    }
}
