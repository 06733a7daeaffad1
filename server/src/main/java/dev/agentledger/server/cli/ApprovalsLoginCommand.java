package dev.agentledger.server.cli;

import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agentledger approvals login}: gets a console JWT-SVID for the approver's own identity
 * ({@code POST /api/v1/console/login} over mTLS) and prints the token alone on standard output,
 * what it is for on standard error.
 */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Prints a JWT-SVID for your approver identity (audience agentledger-console, valid 15 minutes),",
            "issued and logged by the server, to paste into the web console (/ui/) to sign in as an approver.",
            "The token is a bearer credential: do not share it; the log records only its id and SHA-256.",
            "Example: agentledger approvals login --data DIR --cert bob.pem --key bob.key"
        })
final class ApprovalsLoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApproverConnection connection;

    @Option(names = "--json", description = "Print the server's answer (token, token_id, spiffe_id, audience, expires_unix, log_index).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonObject answer;
        try (PrivateHttp api = connection.open()) {
            answer = api.post("/api/v1/console/login", JsonObject.empty());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(answer);
        } else {
            out.println(answer.stringValue("token", ""));
            PrintWriter err = spec.commandLine().getErr();
            err.println("JWT-SVID for " + answer.stringValue("spiffe_id", "?") + " (token id " + answer.stringValue("token_id", "?")
                    + ", logged at index " + answer.longValue("log_index").orElse(-1L) + "), valid until "
                    + answer.longValue("expires_unix").map(Instant::ofEpochSecond).map(Instant::toString).orElse("?")
                    + ": paste it into the console's approver sign-in");
            err.flush();
        }
        out.flush();
        return 0;
    }
}
