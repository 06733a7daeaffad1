package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentledger serve} on a damaged log store exits with one line naming the problem and
 * signs nothing. (Every way of damaging the store is in the ledger's {@code CorruptStoreTest}; here
 * the operator's view of one.)
 */
class DamagedStoreTest {
    @TempDir
    Path dir;

    @Test
    void serveRefusesAStoreThatLostATableFile() throws Exception {
        DataDir data = new DataDir(dir.resolve("data"));
        for (int run = 0; run < 2; run++) { // the second start moves the first one's write-ahead log into table files
            try (RunningServer server = RunningServer.start(data.root()); LedgerClient client = server.operatorClient()) {
                for (int i = 0; i < 20; i++) {
                    client.append(RunningServer.revocation("spiffe://agentledger.local/agent/d" + run + "-" + i, run + "-" + i), false);
                }
            }
        }
        Path table;
        try (Stream<Path> files = Files.list(data.ledger())) {
            table = files.filter(p -> p.getFileName().toString().endsWith(".sst"))
                    .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow(() -> new AssertionError("no table file"));
        }
        Files.delete(table);

        ServerProcess.Exited exited = ServerProcess.runToFailure(data, dir);
        assertEquals(1, exited.status(), exited.output());
        assertTrue(exited.output().startsWith("agentledger: refusing to start, nothing was signed: cannot open the log store"),
                exited.output());
        assertTrue(exited.output().contains(table.getFileName().toString()), "names the missing file: " + exited.output());
        assertTrue(!exited.output().contains("\tat "), "one line, no stack trace: " + exited.output());
    }
}
