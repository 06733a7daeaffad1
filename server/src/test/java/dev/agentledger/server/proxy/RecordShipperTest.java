package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.AgentAuthority;
import dev.agentledger.server.RunningServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper against a real authority, its effect read from the authority's ledger metrics. */
class RecordShipperTest {
    private static final int CALLS = 6;

    @Test
    void recordsQueuedWithinTheLingerAreLoggedTogetherInOneCommittedBatch(@TempDir Path dir) throws Exception {
        try (AgentAuthority authority = AgentAuthority.start(dir.resolve("authority"));
                CallJournal journal = CallJournal.open(dir.resolve("calls"), InstantSource.system());
                ToolCallRecorder recorder = new ToolCallRecorder(authority.server.client(Optional.of(authority.tool("billing"))))) {
            String before = authority.server.getText("/observe/metrics");
            long treeSize = authority.server.treeSize();
            try (RecordShipper shipper = new RecordShipper(journal, upstream -> recorder, Duration.ofSeconds(3))) {
                for (int i = 0; i < CALLS; i++) {
                    LogEntry entry = ToolCallRecorder.entry(ToolCallRecorded.newBuilder()
                            .setUpstream(AgentAuthority.TOOL).setMethod("GET").setPath("/invoices/" + i).setResponseStatus(200).build(), "call-" + i);
                    shipper.ship(journal.begin(entry), entry);
                    Thread.sleep(50); // spread over 0.3 s, well inside the linger
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (journal.unshipped() > 0) {
                    assertTrue(System.nanoTime() < deadline, journal.unshipped() + " records still not logged after 30 s");
                    Thread.sleep(10);
                }
            }
            String after = authority.server.getText("/observe/metrics");
            assertEquals(treeSize + CALLS, authority.server.treeSize(), "every record logged once");
            assertEquals(CALLS, count(after, before, "agentledger_ledger_batch_entries_sum"), after);
            assertEquals(1, count(after, before, "agentledger_ledger_batch_entries_count"),
                    "one committed batch (one synced write, one signed checkpoint) for all of them:\n" + after);
        }
    }

    private static double count(String after, String before, String name) {
        return RunningServer.metric(after, name, "") - RunningServer.metric(before, name, "");
    }
}
