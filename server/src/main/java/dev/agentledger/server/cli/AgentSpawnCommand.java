package dev.agentledger.server.cli;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.server.client.VerifiedInclusion;
import io.grpc.StatusRuntimeException;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
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
        KeyPair key = newKey();
        PublicLogClient publicApi = new PublicLogClient(publicUrl);
        JsonObject joined = publicApi.postJson("/api/v1/join", JsonObject.builder()
                .set("join_token", registered.getJoinToken())
                .set("csr", Base64.getEncoder().encodeToString(csr(key)))
                .build());
        List<X509Certificate> chain = certificates(joined, "certificate_chain");
        if (!chain.get(0).getPublicKey().equals(key.getPublic())) {
            throw new CliException("the server returned a certificate for another key; refusing it");
        }
        JsonObject proof = joined.objectValue("proof").orElseThrow(() -> new CliException("the answer has no proof"));
        VerifiedInclusion verified = verifyLogged(dir, publicApi, proof, chain.get(0));
        write(new Credentials(key.getPrivate(), chain), certificates(joined, "trust_bundle"), registered.getSpiffeId(), proof);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("spiffe id:  " + registered.getSpiffeId());
        stdout.println("serial:     " + chain.get(0).getSerialNumber().toString(16));
        stdout.println("not after:  " + chain.get(0).getNotAfter().toInstant());
        stdout.println("registered: log index " + registered.getProof().getIndex());
        Output.proven(stdout, verified);
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
                    return dev.agentledger.proto.SpiffeId.parse(String.valueOf(san.get(1))).trustDomain()
                            .transform(td -> "spiffe://" + td + "/user/" + name);
                }
            }
        } catch (java.security.cert.CertificateParsingException | IllegalArgumentException e) {
            throw new CliException("the operator certificate carries no SPIFFE ID: " + e.getMessage(), e);
        }
        throw new CliException("the operator certificate carries no SPIFFE ID");
    }

    /** The SVID's entry is the one at the proven index, and that index is in a checkpoint signed by the log. */
    private VerifiedInclusion verifyLogged(DataDir dir, PublicLogClient publicApi, JsonObject proof, X509Certificate svid)
            throws Exception {
        VerifierKey logKey = VerifierKey.parse(Files.readString(dir.logVerifierKey(), StandardCharsets.UTF_8).strip());
        try {
            long index = proof.longValue("index", -1);
            byte[] entry = PublicLogClient.base64(publicApi.getJson("/api/v1/entries/" + index).stringValue("entry_base64", ""));
            Hash leaf = PublicLogClient.hash(proof.stringValue("leaf_hash", ""));
            SvidLogEntry.requireRecords(entry, index, leaf, svid);
            return VerifiedInclusion.verify(entry, leaf, proof.stringValue("checkpoint", "").getBytes(StandardCharsets.UTF_8),
                    PublicLogClient.inclusionProof(proof.objectValue("inclusion_proof").orElseThrow()),
                    Ed25519NoteVerifier.create(logKey));
        } catch (VerificationException e) {
            throw new CliException("the SVID is not proven logged (" + e.getMessage() + "): refusing it; nothing written", e);
        }
    }

    private void requireEmptyOutput() throws CliException, IOException {
        for (String file : List.of("svid.pem", "key.pem", "bundle.pem", "proof.json")) {
            if (Files.exists(out.resolve(file))) {
                throw new CliException(out.resolve(file) + " already exists: choose another --out directory");
            }
        }
        Files.createDirectories(out);
    }

    private void write(Credentials svid, List<X509Certificate> bundle, String spiffeId, JsonObject proof) throws IOException {
        svid.write(out.resolve("key.pem"), out.resolve("svid.pem"));
        Files.writeString(out.resolve("bundle.pem"), Pem.certificates(bundle), StandardCharsets.US_ASCII);
        JsonObject.Builder json = JsonObject.builder().set("spiffe_id", spiffeId);
        for (String key : proof.keysAsStrings()) {
            json.set(key, proof.value(key).orElseThrow());
        }
        Files.writeString(out.resolve("proof.json"), json.build().toString() + "\n", StandardCharsets.UTF_8);
    }

    private static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static byte[] csr(KeyPair key) throws IOException, OperatorCreationException {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    private static List<X509Certificate> certificates(JsonObject answer, String field) throws CliException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonValue value : answer.arrayValue(field).orElseThrow().values()) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(value.asString().value()))));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CliException("the server's answer has no valid " + field + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new CliException("the server's answer has an empty " + field);
        }
        return certificates;
    }
}
