package dev.agentledger.server.cli;

import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.agent.Agent;
import dev.agentledger.verifierclient.agent.AgentConfig;
import dev.agentledger.verifierclient.agent.AgentException;
import dev.agentledger.verifierclient.agent.Svid;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import io.grpc.StatusRuntimeException;
import io.helidon.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agentledger agent spawn}: registers an agent instance as the orchestrator (the operator
 * credentials of the data directory), then does what the spawned agent itself would: makes a P-256
 * key that never leaves it, redeems the one-time join token with a CSR, and checks the SVID is in
 * the log before writing anything.
 */
@Command(name = "spawn", mixinStandardHelpOptions = true,
        description = {
            "Spawns an agent instance with a logged identity: registers it over the private mTLS API,",
            "redeems its one-time join token on the public API with a CSR for a new P-256 key, verifies",
            "that the X509-SVID's log entry is included in a checkpoint signed by the log, and writes:",
            "  svid.pem    the X509-SVID and its CA (leaf first)",
            "  key.pem     the private key (mode 0600; it never left this process)",
            "  bundle.pem  the trust domain's X.509 authorities",
            "  proof.json  spiffe_id, index, leaf_hash, checkpoint and inclusion_proof",
            "Check with: openssl x509 -in DIR/svid.pem -noout -text; openssl verify -CAfile DIR/bundle.pem DIR/svid.pem",
            "Example: agentledger agent spawn --data ./agentledger-data --name research --user alice --out ./agent1"
        })
final class AgentSpawnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "The agent program's name (1 to 63 of a-z 0-9 . _ -); the ID is spiffe://<td>/agent/NAME/<instance>.")
    String name;

    @Option(names = "--user", paramLabel = "USER",
            description = "The user the agent acts for: a name (becomes spiffe://<td>/user/USER) or a full SPIFFE ID.")
    String user;

    @Option(names = "--task", paramLabel = "TEXT", defaultValue = "", description = "The task it is spawned for (logged; no secrets).")
    String task;

    @Option(names = "--instance", paramLabel = "ID", description = "The instance id; default: a random one.")
    String instance;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the files (created; must not hold them already).")
    Path out;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The server's data directory: operator credentials, CA and log key.")
    Path data;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8443",
            description = "Address of the server's private gRPC API. Default: ${DEFAULT-VALUE}.")
    String privateAddr;

    @Option(names = "--public-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the server's public API. Default: ${DEFAULT-VALUE}.")
    String publicUrl;

    @Override
    public Integer call() throws Exception {
        DataDir dir = new DataDir(data);
        requireEmptyOutput();
        Credentials operator = LogAddCommand.readCredentials(dir);
        X509Certificate ca = Pem.readCertificates(dir.caCertificate()).get(0);
        RegisterWorkloadResponse registered;
        try (LedgerClient client = LedgerClient.connect(LogAddCommand.address(privateAddr), ca, Optional.of(operator))) {
            registered = client.issuer().registerWorkload(request(operator));
        } catch (StatusRuntimeException e) {
            throw new CliException("the server refused to register the agent: " + e.getStatus().getCode() + ": "
                    + e.getStatus().getDescription(), e);
        }
        VerifierKey logKey = VerifierKey.parse(Files.readString(dir.logVerifierKey(), StandardCharsets.UTF_8).strip());
        SpiffeId id = SpiffeId.parse(registered.getSpiffeId());
        AgentConfig config = AgentConfig.of(URI.create(publicUrl), URI.create("https://" + privateAddr),
                LogVerifier.create(logKey.name(), logKey, List.of(), 0), id.trustDomain(), List.of(ca));
        Svid svid;
        SpiffeBundle bundle;
        try (Agent agent = Agent.join(config, id, registered.getJoinToken())) {
            svid = agent.svid().orElseThrow();
            bundle = agent.trustBundle();
        } catch (AgentException e) {
            throw new CliException(e.reason() == AgentException.Reason.UNVERIFIED
                    ? e.getMessage() + "; nothing written" : "the agent could not join: " + e.getMessage(), e);
        }
        write(svid, bundle.x509Authorities());
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("spiffe id:  " + svid.spiffeId());
        stdout.println("serial:     " + svid.serialHex());
        stdout.println("not after:  " + svid.notAfter());
        stdout.println("registered: log index " + registered.getProof().getIndex());
        Output.proven(stdout, new VerifiedInclusion(svid.leafHash(), svid.checkpoint().checkpoint(), svid.checkpoint().note(),
                svid.inclusionProof()));
        stdout.println("wrote:      " + out.resolve("svid.pem") + ", key.pem, bundle.pem, proof.json");
        stdout.flush();
        return 0;
    }

    private RegisterWorkloadRequest request(Credentials operator) throws CliException {
        RegisterWorkloadRequest.Builder request = RegisterWorkloadRequest.newBuilder().setAgentName(name).setTask(task);
        if (instance != null) {
            request.setAgentInstance(instance);
        }
        if (user != null) {
            request.setActingUserSpiffeId(user.startsWith("spiffe://") ? user : userId(operator, user));
        }
        return request.build();
    }

    /** {@code spiffe://<operator's trust domain>/user/<name>}. */
    private static String userId(Credentials operator, String name) throws CliException {
        try {
            for (List<?> san : operator.certificate().getSubjectAlternativeNames()) {
                if (Integer.valueOf(6).equals(san.get(0))) {
                    return SpiffeId.parse(String.valueOf(san.get(1))).trustDomain()
                            .transform(td -> "spiffe://" + td + "/user/" + name);
                }
            }
        } catch (java.security.cert.CertificateParsingException | IllegalArgumentException e) {
            throw new CliException("the operator certificate carries no SPIFFE ID: " + e.getMessage(), e);
        }
        throw new CliException("the operator certificate carries no SPIFFE ID");
    }

    private void requireEmptyOutput() throws CliException, IOException {
        for (String file : List.of("svid.pem", "key.pem", "bundle.pem", "proof.json")) {
            if (Files.exists(out.resolve(file))) {
                throw new CliException(out.resolve(file) + " already exists: choose another --out directory");
            }
        }
        Files.createDirectories(out);
    }

    private void write(Svid svid, List<X509Certificate> bundle) throws IOException {
        new Credentials(svid.key(), svid.chain()).write(out.resolve("key.pem"), out.resolve("svid.pem"));
        Files.writeString(out.resolve("bundle.pem"), Pem.certificates(bundle), StandardCharsets.US_ASCII);
        List<String> hashes = new ArrayList<>();
        svid.inclusionProof().hashes().forEach(h -> hashes.add(h.toBase64()));
        JsonObject json = JsonObject.builder()
                .set("spiffe_id", svid.spiffeId().value())
                .set("index", svid.logIndex())
                .set("leaf_hash", svid.leafHash().toBase64())
                .set("checkpoint", svid.checkpoint().note())
                .set("inclusion_proof", JsonObject.builder()
                        .set("index", svid.inclusionProof().index())
                        .set("tree_size", svid.inclusionProof().size())
                        .setStrings("hashes", hashes).build())
                .build();
        Files.writeString(out.resolve("proof.json"), json.toString() + "\n", StandardCharsets.UTF_8);
    }
}
