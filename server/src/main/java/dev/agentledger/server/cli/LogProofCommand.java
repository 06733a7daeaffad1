package dev.agentledger.server.cli;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.server.client.VerifiedInclusion;
import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger log proof}: the inclusion proof of one entry, verified against a signed checkpoint. */
@Command(name = "proof", mixinStandardHelpOptions = true,
        description = {
            "Fetches the inclusion proof of one entry from the log's public API and verifies it against",
            "the checkpoint the log signed for that tree size (the latest when --size is not given).",
            "When the log signed no checkpoint at that size, the root the proof gives is checked",
            "against the latest signed checkpoint through a consistency proof."
        })
final class LogProofCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "The entry's index, from 0.")
    long index;

    @Option(names = "--size", paramLabel = "N",
            description = "Prove inclusion in the tree of N entries (N up to the latest checkpoint's size).")
    long size;

    @Mixin
    LogKeyOptions options;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var verifier = options.verifier(spec.commandLine().getErr());
        String query = "/api/v1/proof/inclusion?index=" + index + (size > 0 ? "&size=" + size : "");
        JsonObject json = options.client().getJson(query);
        Hash leaf;
        VerifiedInclusion verified;
        try {
            leaf = PublicLogClient.hash(json.stringValue("leaf_hash").orElse(""));
            InclusionProof proof = PublicLogClient.inclusionProof(json.objectValue("proof").orElse(JsonObject.empty()));
            Optional<String> checkpoint = json.stringValue("checkpoint");
            if (checkpoint.isPresent()) {
                verified = VerifiedInclusion.verifyLeaf(leaf, checkpoint.get().getBytes(StandardCharsets.UTF_8), proof, verifier);
            } else {
                byte[] latest = options.client().get("/checkpoint");
                long latestSize = VerifiedInclusion.openCheckpoint(latest, verifier).size();
                JsonObject consistency = options.client().getJson(
                        "/api/v1/proof/consistency?size1=" + proof.size() + "&size2=" + latestSize);
                verified = VerifiedInclusion.verifyThrough(leaf, proof, PublicLogClient.consistencyProof(consistency),
                        latest, verifier);
                out.println("no checkpoint was signed at tree size " + proof.size() + "; its root is proven consistent with "
                        + "the checkpoint at " + latestSize);
            }
        } catch (VerificationException e) {
            throw new CliException("the proof of entry " + index + " does not verify: " + e.getMessage(), e);
        }
        if (verified.index() != index || (size > 0 && verified.proof().size() != size)) {
            throw new CliException("the server answered for index " + verified.index() + " in size "
                    + verified.proof().size() + ", not what was asked");
        }
        out.println("index: " + index);
        Output.proven(out, verified);
        out.flush();
        return 0;
    }
}
