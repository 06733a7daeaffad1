package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.server.client.LedgerClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @Test
    void startsAppendsAndServes(@TempDir Path dir) throws Exception {
        try (RunningServer s = RunningServer.start(dir); LedgerClient client = s.operatorClient()) {
            System.out.println(s.getText("/checkpoint"));
            System.out.println(s.getText("/.well-known/agentledger"));
            AppendResponse r = client.append(RunningServer.revocation("spiffe://x/y", "r1"), false);
            System.out.println(r);
            assertEquals(1, s.treeSize());
            System.out.println(s.getText("/api/v1/entries/0"));
            System.out.println(s.getText("/observe/metrics").lines().filter(l -> l.contains("agentledger")).toList());
            System.out.println(s.getText("/observe/health"));
            System.out.println(s.get("/tile/0/000.p/1").statusCode() + " " + s.get("/tile/0/000.p/1").headers().map());
        }
    }
}
