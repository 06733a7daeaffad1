package dev.agentledger.server.cli;

import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agentledger approvals approve|deny ID}: decides one pending approval
 * ({@code POST /api/v1/approvals/<id>/approve} or {@code .../deny}) and prints the decided approval.
 */
abstract class ApprovalDecisionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval id, as 'approvals list' shows it.")
    String id;

    @Option(names = "--comment", paramLabel = "TEXT", defaultValue = "",
            description = "Why, for the agent and the auditors: logged publicly with the decision, so never a secret.")
    String comment;

    @Mixin
    ApproverConnection connection;

    @Option(names = "--json", description = "Print the decided approval as the server's JSON.")
    boolean json;

    /** {@code approve} or {@code deny}: the last segment of the route. */
    abstract String verb();

    @Override
    public Integer call() throws Exception {
        JsonObject decided;
        try (PrivateHttp api = connection.open()) {
            decided = api.post("/api/v1/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20")
                    + "/" + verb(), JsonObject.builder().set("comment", comment).build());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(decided);
        } else {
            ApprovalsListCommand.describe(out, decided, Instant.now());
        }
        out.flush();
        return 0;
    }

    /** {@code agentledger approvals approve ID}. */
    @Command(name = "approve", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Approves one pending approval: the agent's next token exchange with this approval id gets its",
                "capability token (once). The decision, with your identity and comment, is logged first.",
                "Example: agentledger approvals approve --data DIR a-1f3c --comment 'invoice 42 checked'"
            })
    static final class Approve extends ApprovalDecisionCommand {
        @Override
        String verb() {
            return "approve";
        }
    }

    /** {@code agentledger approvals deny ID}. */
    @Command(name = "deny", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Denies one pending approval: the agent's token exchange with this approval id is refused.",
                "The decision, with your identity and comment, is logged first.",
                "Example: agentledger approvals deny --data DIR a-1f3c --comment 'not in the budget'"
            })
    static final class Deny extends ApprovalDecisionCommand {
        @Override
        String verb() {
            return "deny";
        }
    }
}
