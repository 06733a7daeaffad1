package dev.agentledger.server.cli;

import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger keys rotate}: replaces one of the issuer's keys now. */
@Command(name = "rotate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Replaces one of the issuer's keys now (POST /api/v1/keys/rotate, operator only): ca (signs",
            "X509-SVIDs), jwt-svid (signs JWT-SVIDs) or access-token (signs delegations and capability tokens).",
            "The new key is logged as KeyPublished before it signs; the old one stays in the trust bundle",
            "(or the token keys) until what it signed has expired, so nothing issued before stops verifying.",
            "Example: agentledger keys rotate ca --data ./agentledger-data"
        })
final class KeysRotateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "Which key: ca, jwt-svid or access-token.")
    String key;

    @Mixin
    ApproverConnection connection;

    @Override
    public Integer call() throws Exception {
        JsonObject answer;
        try (PrivateHttp api = connection.open()) {
            answer = api.post("/api/v1/keys/rotate", JsonObject.builder().set("key", key).build());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("rotated the " + answer.stringValue("rotated").orElse(key) + " key; trust bundle sequence "
                + answer.longValue("bundle_sequence", -1));
        out.flush();
        return 0;
    }
}
