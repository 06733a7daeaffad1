package dev.agentledger.server.cli;

import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import io.helidon.json.JsonValueType;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger approvals list}: the pending approvals, readable or as the server's JSON. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Lists the pending approvals (GET /api/v1/approvals): for each its id, the agent that asked",
            "(principal) and the user it acts for, the action and resource, the policy's reason, when it",
            "expires and the request's context. Decide one with 'approvals approve ID' or 'approvals deny ID'.",
            "Example: agentledger approvals list --data DIR --private-addr 127.0.0.1:8443"
        })
final class ApprovalsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApproverConnection connection;

    @Option(names = "--json", description = "Print the server's answer, {\"pending\": [...]}, as one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonObject answer;
        try (PrivateHttp api = connection.open()) {
            answer = api.get("/api/v1/approvals");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(answer);
        } else {
            print(out, answer.arrayValue("pending").map(a -> a.values()).orElse(List.of()), Instant.now());
        }
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, List<JsonValue> pending, Instant now) {
        if (pending.isEmpty()) {
            out.println("no pending approvals");
            return;
        }
        out.println(pending.size() + (pending.size() == 1 ? " pending approval" : " pending approvals"));
        for (JsonValue value : pending) {
            out.println();
            describe(out, value.asObject(), now);
        }
    }

    /** One approval as indented {@code name: value} lines under its id. */
    static void describe(PrintWriter out, JsonObject approval, Instant now) {
        out.println(approval.stringValue("approval_id", "?") + " (" + approval.stringValue("status", "?") + ")");
        field(out, "principal", approval.stringValue("principal", ""));
        approval.stringValue("acting_user").ifPresent(user -> field(out, "acting for", user));
        field(out, "action", approval.stringValue("action", ""));
        field(out, "resource", approval.stringValue("resource", ""));
        field(out, "reason", approval.stringValue("reason", ""));
        field(out, "policy", approval.stringValue("policy", ""));
        approval.longValue("requested_unix").ifPresent(s -> field(out, "requested", Instant.ofEpochSecond(s).toString()));
        approval.longValue("expires_unix").ifPresent(s -> field(out, "expires", Instant.ofEpochSecond(s) + " (" + remaining(now, s) + ")"));
        approval.stringValue("decided_by").ifPresent(by -> field(out, "decided by", by));
        String comment = approval.stringValue("comment", "");
        if (!comment.isEmpty()) {
            field(out, "comment", comment);
        }
        JsonObject context = approval.objectValue("context", JsonObject.empty());
        if (context.size() == 0) {
            field(out, "context", "(none)");
        } else {
            out.println("  context:");
            for (String name : context.keysAsStrings().stream().sorted().toList()) {
                JsonValue v = context.value(name).orElseThrow();
                out.println("    " + name + " = " + (v.type() == JsonValueType.STRING ? v.asString().value() : v.toString()));
            }
        }
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println("  " + name + ": " + value);
    }

    private static String remaining(Instant now, long expiresUnix) {
        Duration left = Duration.between(now, Instant.ofEpochSecond(expiresUnix));
        if (left.isNegative() || left.isZero()) {
            return "expired";
        }
        return "in " + (left.toMinutes() > 0 ? left.toMinutes() + " min " : "") + left.toSecondsPart() + " s";
    }
}
