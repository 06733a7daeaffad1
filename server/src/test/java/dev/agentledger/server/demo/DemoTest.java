package dev.agentledger.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo is the product's end-to-end test: every step checks its own outcome against the real
 * server, tool, witness and auditor, and throws if one is wrong; this runs it and reads the JSON.
 */
class DemoTest {
    @Test
    void theWholeStoryRuns(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        DemoRun.run(new PrintWriter(out), true, false, Optional.of(dir.resolve("data")));
        JsonObject json = JsonParser.create(out.toString()).readJsonObject();
        List<String> steps = new ArrayList<>();
        for (JsonValue step : json.arrayValue("steps").orElseThrow().values()) {
            steps.add(((JsonObject) step).stringValue("step", "") + ": " + ((JsonObject) step).stringValue("outcome", ""));
        }
        assertEquals(List.of("authority started: ok", "agents spawned: 3 SVIDs logged", "tool started: ok",
                "delegation granted: ok", "tool call: allowed once, replay refused", "human approval: 1 approved and paid, 1 denied",
                "sub-delegation: narrowed ok, widening refused", "revocation: refused everywhere", "witness cosigned: ok",
                "audit from tiles: 4 identities, 0 alerts, 4 anomaly flags"), steps);
        assertTrue(dir.resolve("data").toFile().isDirectory(), "--data keeps the state");
    }
}
