package dev.agentledger.server.cli;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.svid.X509SvidVerifier;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger verify svid}: an X509-SVID against the trust bundle and, with a proof, in the log. */
@Command(name = "svid", mixinStandardHelpOptions = true,
        description = {
            "Verifies an X509-SVID (PEM, leaf first, as agent spawn writes svid.pem) against the trust",
            "bundle: the chain validates now to one of its X.509 authorities, the leaf has exactly one",
            "SPIFFE ID of the trust domain, is no CA and may sign. With --proof (the proof.json agent",
            "spawn writes: index, leaf_hash, checkpoint, inclusion_proof) it also checks that the entry",
            "at that index, fetched from /api/v1/entries/<index>, hashes to leaf_hash and records",
            "exactly this certificate (X509SvidIssued), and that it is included in the checkpoint,",
            "signed by the log key, for the log's origin (the key's name).",
            "Example: agentledger verify svid agent1/svid.pem --proof agent1/proof.json --vkey VKEY"
        })
final class VerifySvidCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The X509-SVID chain, PEM, leaf first.")
    Path file;

    @Option(names = "--proof", paramLabel = "FILE",
            description = "The SVID's log proof (proof.json from agent spawn); checks it is logged.")
    Path proof;

    @Mixin
    LogKeyOptions log;

    @Mixin
    TrustDomainOptions authority;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<X509Certificate> chain = Pem.readCertificates(file);
        PublicLogClient client = log.client();
        SpiffeBundle bundle = authority.bundle(client);
        VerifiedX509Svid svid = VerifyCommand.check("X509-SVID chain", () -> X509SvidVerifier.verify(chain, bundle, Instant.now()));
        out.println("spiffe id:  " + svid.spiffeId());
        out.println("serial:     " + svid.certificate().getSerialNumber().toString(16));
        out.println("not after:  " + svid.certificate().getNotAfter().toInstant());
        out.println("chain:      valid now under the bundle of " + bundle.trustDomain() + " (sequence " + bundle.sequence() + ")");
        out.flush();
        if (proof != null) {
            VerifierKey key = log.verifierKey(spec.commandLine().getErr());
            VerifiedCheckpoint checkpoint = logged(svid, readProof(), client, LogVerifier.create(key.name(), key, List.of(), 0));
            out.println("checkpoint: " + checkpoint.checkpoint().origin() + ", tree size " + checkpoint.size()
                    + ", root " + checkpoint.root().toBase64());
            out.println("verified: the X509-SVID is valid and its issuance is in a checkpoint signed by the log key");
        } else {
            out.println("verified: the X509-SVID is valid (give --proof to check it is logged)");
        }
        out.flush();
        return 0;
    }

    /** Checks the proof names this SVID's entry and that entry is in the proof's signed checkpoint. */
    private VerifiedCheckpoint logged(VerifiedX509Svid svid, JsonObject json, PublicLogClient client, LogVerifier verifier)
            throws CliException, IOException {
        long index = json.longValue("index", -1);
        if (index < 0) {
            throw new CliException(proof + " has no index: give the proof.json agent spawn wrote");
        }
        JsonObject fetched = client.getJson("/api/v1/entries/" + index);
        Hash leaf = VerifyCommand.check("log entry " + index, () -> {
            byte[] entry = PublicLogClient.base64(fetched.stringValue("entry_base64", ""));
            Hash claimed = PublicLogClient.hash(json.stringValue("leaf_hash", ""));
            dev.agentledger.verifierclient.agent.SvidEntry.requireRecords(entry, index, claimed, svid.certificate());
            return claimed;
        });
        PrintWriter out = spec.commandLine().getOut();
        out.println("log index:  " + index + " (an X509SvidIssued entry recording this certificate)");
        VerifiedCheckpoint checkpoint = VerifyCommand.check("checkpoint signature",
                () -> verifier.open(json.stringValue("checkpoint", "")));
        VerifyCommand.check("inclusion proof", () -> {
            InclusionProof inclusion = PublicLogClient.inclusionProof(json.objectValue("inclusion_proof").orElse(JsonObject.empty()));
            verifier.verifyInclusion(leaf, index, inclusion, checkpoint);
            return inclusion;
        });
        return checkpoint;
    }

    private JsonObject readProof() throws CliException, IOException {
        try {
            return JsonParser.create(Files.readString(proof, StandardCharsets.UTF_8)).readJsonObject();
        } catch (RuntimeException e) {
            throw new CliException(proof + " is not a JSON object: " + e.getMessage(), e);
        }
    }
}
