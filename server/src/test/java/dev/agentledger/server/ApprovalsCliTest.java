package dev.agentledger.server;

import static dev.agentledger.server.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.cli.CliRun;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentledger approvals} end to end: an agent's payments wait for a human under the
 * default policy; the command lists them, approves one as the approver bob (its own certificate)
 * and denies the other as the operator, and the agent's retries get a token and a refusal.
 */
class ApprovalsCliTest {
    @TempDir
    static Path dir;

    static AgentAuthority authority;
    static Credentials agent;
    static String agentId;
    static String chain;
    static List<String> bob;

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir.resolve("data"));
        agent = authority.spawn("payer");
        agentId = AgentAuthority.spiffeId(agent);
        chain = authority.delegate(agentId, "\"invoices:read\",\"payments:send\"");
        authority.approver.write(dir.resolve("bob.key"), dir.resolve("bob.pem"));
        bob = List.of("--cert", dir.resolve("bob.pem").toString(), "--key", dir.resolve("bob.key").toString());
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    /** {@code agentledger approvals <args> --data DIR --private-addr ADDR}. */
    static CliRun approvals(String... args) {
        List<String> all = new ArrayList<>(List.of("approvals"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data", dir.resolve("data").toString(),
                "--private-addr", authority.server.server.privateAddress().toString()));
        return run(all);
    }

    static String[] as(List<String> identity, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(identity);
        return all.toArray(String[]::new);
    }

    @Test
    void listApproveAndDeny() throws Exception {
        String first = authority.pendingPayment(agent, chain);
        String second = authority.pendingPayment(agent, chain);

        CliRun list = approvals("list");
        assertEquals(0, list.exit(), list.err());
        for (String expected : List.of(first, second, "principal: " + agentId, "action: payments:send",
                "resource: " + AgentAuthority.TOOL, "acting for: spiffe://agentledger.local/user/alice", "expires: ", "reason: ")) {
            assertTrue(list.out().contains(expected), expected + " missing from:\n" + list.out());
        }

        CliRun json = approvals(as(bob, "list", "--json"));
        assertEquals(0, json.exit(), json.err());
        List<String> ids = new ArrayList<>();
        for (JsonValue pending : JsonParser.create(json.out()).readJsonObject().arrayValue("pending").orElseThrow().values()) {
            ids.add(pending.asObject().stringValue("approval_id", ""));
        }
        assertTrue(ids.containsAll(List.of(first, second)), json.out());

        CliRun approved = approvals(as(bob, "approve", first, "--comment", "invoice 42 checked"));
        assertEquals(0, approved.exit(), approved.err());
        assertTrue(approved.out().startsWith(first + " (approved)"), approved.out());
        assertTrue(approved.out().contains("decided by: spiffe://agentledger.local/approver/bob"), approved.out());
        assertTrue(approved.out().contains("comment: invoice 42 checked"), approved.out());

        CliRun denied = approvals("deny", second, "--comment", "not in the budget", "--json");
        assertEquals(0, denied.exit(), denied.err());
        JsonObject decision = JsonParser.create(denied.out()).readJsonObject();
        assertEquals("rejected", decision.stringValue("status", ""));
        assertEquals("spiffe://agentledger.local/operator", decision.stringValue("decided_by", ""));

        assertEquals(200, authority.exchange(agent, chain, "payments:send", Optional.of(first)).statusCode());
        assertTrue(authority.exchange(agent, chain, "payments:send", Optional.of(second)).statusCode() >= 400);
        CliRun after = approvals("list");
        assertFalse(after.out().contains(first) || after.out().contains(second), after.out());

        CliRun again = approvals("approve", second);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("(409)"), again.err());
    }

    /**
     * {@code approvals login} prints a console JWT-SVID for bob; with it as a bearer token the
     * public listener lists and decides approvals as bob (logged with his ID); no token, a
     * tampered one or one for another audience is 401, an agent's console token 403, and the
     * login route itself does not exist on the public listener.
     */
    @Test
    void consoleLoginAndBearerApprovals() throws Exception {
        String pending = authority.pendingPayment(agent, chain);
        CliRun login = approvals(as(bob, "login"));
        assertEquals(0, login.exit(), login.err());
        String token = login.out().strip();
        assertTrue(login.err().contains("JWT-SVID for spiffe://agentledger.local/approver/bob"), login.err());
        assertFalse(login.err().contains(token), "the token is printed once, on standard output");

        HttpResponse<String> list = publicCall("GET", "/api/v1/approvals", Optional.of(token));
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains(pending), list.body());
        HttpResponse<String> denied = publicCall("POST", "/api/v1/approvals/" + pending + "/deny", Optional.of(token));
        assertEquals(200, denied.statusCode(), denied.body());
        JsonObject decision = JsonParser.create(denied.body()).readJsonObject();
        assertEquals("rejected", decision.stringValue("status", ""));
        assertEquals("spiffe://agentledger.local/approver/bob", decision.stringValue("decided_by", ""));

        assertEquals(401, publicCall("GET", "/api/v1/approvals", Optional.empty()).statusCode());
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        HttpResponse<String> bad = publicCall("GET", "/api/v1/approvals", Optional.of(tampered));
        assertEquals(401, bad.statusCode(), bad.body());
        assertFalse(bad.body().contains(tampered), "the refusal does not echo the token");
        String otherAudience = agentJwtSvid("billing");
        HttpResponse<String> wrongAudience = publicCall("GET", "/api/v1/approvals", Optional.of(otherAudience));
        assertEquals(401, wrongAudience.statusCode(), wrongAudience.body());
        assertTrue(wrongAudience.body().contains("agentledger-console"), wrongAudience.body());
        HttpResponse<String> agentToken = publicCall("GET", "/api/v1/approvals", Optional.of(agentJwtSvid("agentledger-console")));
        assertEquals(403, agentToken.statusCode(), agentToken.body());
        assertEquals(404, publicCall("POST", "/api/v1/console/login", Optional.of(token)).statusCode());
    }

    /** A JWT-SVID the agent obtains for itself over gRPC, for {@code audience}. */
    static String agentJwtSvid(String audience) throws Exception {
        try (var client = authority.client(agent)) {
            return client.issuer().issueJwtSvid(dev.agentledger.proto.v1.IssueJwtSvidRequest.newBuilder()
                    .setSpiffeId(agentId).addAudience(audience).build()).getToken();
        }
    }

    static HttpResponse<String> publicCall(String method, String path, Optional<String> bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(authority.server.server.publicUrl() + path))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        bearer.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return authority.server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void failuresSayWhatToDo() throws Exception {
        Path agentKey = dir.resolve("agent.key");
        Path agentCert = dir.resolve("agent.pem");
        if (!agentCert.toFile().exists()) {
            agent.write(agentKey, agentCert);
        }
        CliRun notApprover = approvals("list", "--cert", agentCert.toString(), "--key", agentKey.toString());
        assertEquals(1, notApprover.exit());
        assertTrue(notApprover.err().contains("(403)") && notApprover.err().contains("may not list approvals"), notApprover.err());

        CliRun halfIdentity = approvals("list", "--cert", agentCert.toString());
        assertEquals(1, halfIdentity.exit());
        assertTrue(halfIdentity.err().contains("give --cert and --key together"), halfIdentity.err());

        CliRun unknown = approvals("approve", "no-such-approval");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("(404)"), unknown.err());

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CliRun down = run(List.of("approvals", "list", "--data", dir.resolve("data").toString(), "--private-addr", "127.0.0.1:" + closed));
        assertEquals(1, down.exit());
        assertTrue(down.err().contains("is the server running?") && down.err().contains("--private-addr"), down.err());

        CliRun noData = run(List.of("approvals", "list", "--data", dir.resolve("none").toString()));
        assertEquals(1, noData.exit());
        assertTrue(noData.err().contains("give the --data directory"), noData.err());
    }
}
