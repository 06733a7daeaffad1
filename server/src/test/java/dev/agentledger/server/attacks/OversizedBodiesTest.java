package dev.agentledger.server.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.AgentAuthority;
import dev.agentledger.server.RunningServer;
import dev.agentledger.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every body-taking route (the private listener's and the public join) refuses a body larger than it accepts (413 from the listener's
 * payload limit, or a clear 400 from the route's own), and nothing is logged.
 */
class OversizedBodiesTest {
    @TempDir
    static Path dir;
    private static AgentAuthority authority;
    private static RunningServer server;

    @BeforeAll
    static void start() throws Exception {
        authority = AgentAuthority.start(dir);
        server = authority.server;
    }

    @AfterAll
    static void stop() {
        authority.close();
    }

    /** Every body-taking route of the private listener. */
    static final List<String> PRIVATE_POSTS = List.of("/oauth2/token", "/api/v1/delegations", "/api/v1/tokens/consume",
            "/api/v1/approvals/ap-1/approve", "/api/v1/approvals/ap-1/deny", "/api/v1/revocations");

    @Test
    void oversizedBodiesAreRefusedClearlyAndChangeNothing() throws Exception {
        long before = server.treeSize();
        // Over the listener's payload limit, and over each route's own limit but under the listener's.
        for (int size : List.of(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES + 1, 100 * 1024)) {
            String body = "{\"x\":\"" + "a".repeat(size) + "\"}";
            for (String path : PRIVATE_POSTS) {
                // The operator holds every role, so no route refuses it before reading the body.
                HttpResponse<String> response = authority.post(server.operator(), path, "application/json", body);
                assertTrue(Set.of(400, 413).contains(response.statusCode()), path + " " + size + ": " + response.statusCode()
                        + " " + response.body());
            }
        }
        HttpResponse<String> join = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.server.publicUrl()
                        + "/api/v1/join")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"join_token\":\"" + "a".repeat(1 << 20) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(Set.of(400, 413).contains(join.statusCode()), join.statusCode() + " " + join.body());
        assertEquals(before, server.treeSize());
    }

}
