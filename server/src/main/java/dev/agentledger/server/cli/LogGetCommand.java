package dev.agentledger.server.cli;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.server.client.VerifiedInclusion;
import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger log get}: one entry from the public API, verified against the latest checkpoint. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {
            "Fetches one entry from the log's public API, checks that its bytes hash to the leaf and that",
            "the inclusion proof gives the root of a checkpoint signed by the log key, and prints it."
        })
final class LogGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "The entry's index, from 0.")
    long index;

    @Mixin
    LogKeyOptions options;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var verifier = options.verifier(spec.commandLine().getErr());
        JsonObject json = options.client().getJson("/api/v1/entries/" + index);
        VerifiedInclusion verified;
        try {
            byte[] entry = PublicLogClient.base64(json.stringValue("entry_base64").orElse(""));
            verified = VerifiedInclusion.verify(entry, PublicLogClient.hash(json.stringValue("leaf_hash").orElse("")),
                    json.stringValue("checkpoint").orElse("").getBytes(StandardCharsets.UTF_8),
                    PublicLogClient.inclusionProof(json.objectValue("proof").orElse(JsonObject.empty())), verifier);
        } catch (VerificationException e) {
            throw new CliException("entry " + index + " does not verify: " + e.getMessage(), e);
        }
        if (verified.index() != index) {
            throw new CliException("the server answered with entry " + verified.index() + ", not " + index);
        }
        out.println("index: " + index);
        out.println("entry: " + json.objectValue("entry").map(Object::toString).orElse("(not decoded)"));
        Output.proven(out, verified);
        out.flush();
        return 0;
    }
}
