package dev.agentledger.server.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.AgentAuthority;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.Credentials;
import io.helidon.json.JsonParser;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 5 across a restart: a capability token consumed at the authority before the server
 * stopped is refused as a replay by the restarted server on the same data directory, and the replay
 * logs nothing.
 */
class ReplayAfterRestartTest {
    @TempDir
    Path dir;

    @Test
    void aConsumedTokenStaysConsumedAfterARestart() throws Exception {
        String body;
        Credentials tool;
        try (AgentAuthority authority = AgentAuthority.start(dir)) {
            Credentials agent = authority.spawn("once");
            String chain = authority.delegate(AgentAuthority.spiffeId(agent), "\"invoices:read\"");
            HttpResponse<String> exchanged = authority.exchange(agent, chain, "invoices:read", Optional.empty());
            assertEquals(200, exchanged.statusCode(), exchanged.body());
            body = "{\"token\":\"" + JsonParser.create(exchanged.body()).readJsonObject().stringValue("access_token", "") + "\"}";
            tool = Bootstrap.certificateAuthority(authority.server.prepared.dir(), authority.server.prepared.passphrase().value(),
                    InstantSource.system()).issueClient(SpiffeId.parse(AgentAuthority.TOOL));
            HttpResponse<String> consumed = authority.post(tool, "/api/v1/tokens/consume", "application/json", body);
            assertEquals(200, consumed.statusCode(), consumed.body());
        }
        try (AgentAuthority restarted = AgentAuthority.start(dir)) {
            long before = restarted.server.treeSize();
            HttpResponse<String> replay = restarted.post(tool, "/api/v1/tokens/consume", "application/json", body);
            assertEquals(409, replay.statusCode(), replay.body());
            assertTrue(replay.body().contains("already used"), replay.body());
            assertEquals(before, restarted.server.treeSize());
        }
    }
}
