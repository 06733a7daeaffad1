package dev.agentledger.server;

import static dev.agentledger.server.AgentAuthority.TOOL;
import static dev.agentledger.server.AgentAuthority.spiffeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.TlsContexts;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delegation, token exchange and approvals end to end over the private listener: a user delegates
 * to an agent, the agent exchanges for capability tokens under the embedded default policy (a
 * payment waits for an approver), and a widening sub-delegation is refused.
 */
class AuthorizationApiTest {
    @TempDir
    static Path dir;

    static AgentAuthority authority;
    static Credentials agent;
    static Credentials otherAgent;

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir);
        agent = authority.spawn("research");
        otherAgent = authority.spawn("helper");
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    private static HttpResponse<String> get(Credentials as, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(authority.server.prepared.caCertificate()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                        + authority.server.server.privateAddress().port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A delegation of {@code scopes} to {@code delegate}: alice's root one, or a narrowing of {@code chain} by {@code as}. */
    private static String delegation(Credentials as, String delegate, String scopes, Optional<String> chain) throws Exception {
        String body = "{\"delegate\":\"" + delegate + "\",\"scopes\":[" + scopes + "],\"resources\":[\"" + TOOL + "\"],"
                + "\"lifetime_seconds\":" + (chain.isPresent() ? 60 : 600) + ",\"max_depth\":" + (chain.isPresent() ? 0 : 1)
                + chain.map(c -> ",\"chain\":\"" + c + "\"").orElse("") + "}";
        HttpResponse<String> response = authority.post(as, "/api/v1/delegations", "application/json", body);
        assertEquals(200, response.statusCode(), response.body());
        return JsonParser.create(response.body()).readJsonObject().stringValue("chain", "");
    }

    private static String error(HttpResponse<String> response) {
        return JsonParser.create(response.body()).readJsonObject().stringValue("error", "");
    }

    @Test
    void delegateExchangeAndApproveAPayment() throws Exception {
        String chain = delegation(authority.alice, spiffeId(agent), "\"invoices:read\",\"payments:send\"", Optional.empty());

        HttpResponse<String> read = authority.exchange(agent, chain, "invoices:read", Optional.empty());
        assertEquals(200, read.statusCode(), read.body());
        JsonObject token = JsonParser.create(read.body()).readJsonObject();
        assertEquals("Bearer", token.stringValue("token_type", ""));
        long index = token.objectValue("agentledger_log").orElseThrow().longValue("index", -1);
        byte[] entry = authority.server.server.ledger().entry(index).orElseThrow();
        LogEntry issued = LogEntries.parse(entry);
        assertEquals("invoices:read", issued.getCapabilityTokenIssued().getAction());
        assertTrue(!new String(entry, StandardCharsets.ISO_8859_1).contains(token.stringValue("access_token", "")),
                "the token itself is never logged");

        String approvalId = authority.pendingPayment(agent, chain);
        assertEquals(403, get(agent, "/api/v1/approvals").statusCode(), "an agent is no approver");
        HttpResponse<String> list = get(authority.approver, "/api/v1/approvals");
        assertTrue(list.body().contains(approvalId), list.body());
        HttpResponse<String> approved = authority.post(authority.approver, "/api/v1/approvals/" + approvalId + "/approve",
                "application/json", "{\"comment\":\"invoice checked\"}");
        assertEquals(200, approved.statusCode(), approved.body());

        HttpResponse<String> paid = authority.exchange(agent, chain, "payments:send", Optional.of(approvalId));
        assertEquals(200, paid.statusCode(), paid.body());
        HttpResponse<String> again = authority.exchange(agent, chain, "payments:send", Optional.of(approvalId));
        assertTrue(again.statusCode() >= 400, "an approval is used once: " + again.body());
    }

    @Test
    void aToolConsumesATokenCentrallyOnce() throws Exception {
        String chain = delegation(authority.alice, spiffeId(agent), "\"invoices:read\"", Optional.empty());
        String token = JsonParser.create(authority.exchange(agent, chain, "invoices:read", Optional.empty()).body())
                .readJsonObject().stringValue("access_token", "");
        var ca = dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(authority.server.prepared.dir(),
                authority.server.prepared.passphrase().value(), java.time.InstantSource.system());
        Credentials billing = ca.issueClient(dev.agentledger.proto.SpiffeId.parse(TOOL));
        Credentials otherTool = ca.issueClient(dev.agentledger.proto.SpiffeId.of(AgentAuthority.TD, "tool/other"));
        String body = "{\"token\":\"" + token + "\"}";

        assertEquals(403, authority.post(agent, "/api/v1/tokens/consume", "application/json", body).statusCode(), "agents consume nothing");
        assertEquals(403, authority.post(otherTool, "/api/v1/tokens/consume", "application/json", body).statusCode(), "not its audience");
        long before = authority.server.treeSize();
        HttpResponse<String> consumed = authority.post(billing, "/api/v1/tokens/consume", "application/json", body);
        assertEquals(200, consumed.statusCode(), consumed.body());
        long index = JsonParser.create(consumed.body()).readJsonObject().objectValue("log").orElseThrow().longValue("index", -1);
        assertTrue(index >= before);
        LogEntry entry = LogEntries.parse(authority.server.server.ledger().entry(index).orElseThrow());
        assertEquals(TOOL, entry.getTokenConsumed().getConsumerSpiffeId());
        HttpResponse<String> replay = authority.post(billing, "/api/v1/tokens/consume", "application/json", body);
        assertEquals(409, replay.statusCode(), replay.body());
        assertTrue(replay.body().contains("already used"), replay.body());
        assertEquals(400, authority.post(billing, "/api/v1/tokens/consume", "application/json", "{\"token\":\"a.b.c\"}").statusCode());

        // The verifier client's SingleUse for replicated tools: two replicas, one token, one acceptance.
        String fresh = JsonParser.create(authority.exchange(agent, chain, "invoices:read", Optional.empty()).body())
                .readJsonObject().stringValue("access_token", "");
        var tls = TlsContexts.of(List.of(authority.server.prepared.caCertificate()), Optional.of(billing));
        String url = "https://localhost:" + authority.server.server.privateAddress().port();
        var replicaA = new dev.agentledger.verifierclient.replay.AuthorityConsumption(url, tls);
        var replicaB = new dev.agentledger.verifierclient.replay.AuthorityConsumption(url, tls);
        replicaA.spend(fresh, "jti", java.time.Instant.now().plusSeconds(30));
        org.junit.jupiter.api.Assertions.assertThrows(dev.agentledger.verifierclient.replay.ReplayException.class,
                () -> replicaB.spend(fresh, "jti", java.time.Instant.now().plusSeconds(30)));
    }

    @Test
    void refusals() throws Exception {
        String agentId = spiffeId(agent);
        String otherId = spiffeId(otherAgent);
        String chain = delegation(authority.alice, agentId, "\"invoices:read\"", Optional.empty());

        HttpResponse<String> widen = authority.post(agent, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + otherId
                + "\",\"scopes\":[\"invoices:*\"],\"resources\":[\"" + TOOL + "\"],\"lifetime_seconds\":60,\"max_depth\":0,"
                + "\"chain\":\"" + chain + "\"}");
        assertEquals(403, widen.statusCode(), widen.body());
        String narrowed = delegation(agent, otherId, "\"invoices:read\"", Optional.of(chain));
        assertEquals(200, authority.exchange(otherAgent, narrowed, "invoices:read", Optional.empty()).statusCode());

        assertEquals("invalid_scope", error(authority.exchange(agent, chain, "invoices:write", Optional.empty())));
        assertEquals("unauthorized_client", error(authority.exchange(otherAgent, chain, "invoices:read", Optional.empty())),
                "another agent cannot use this chain");
        assertEquals(403, authority.post(agent, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + otherId
                + "\",\"scopes\":[\"x\"],\"resources\":[\"y\"]}").statusCode(), "an agent grants no root delegation");
        assertEquals(400, authority.post(agent, "/oauth2/token", "application/x-www-form-urlencoded", "grant_type=password").statusCode());
    }
}
