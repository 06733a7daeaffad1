package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.cli.CliRun;
import dev.agentledger.server.client.LedgerClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * {@code agentledger serve} on a damaged log store exits with one line naming the problem and
 * signs nothing. (Every way of damaging the store is in the ledger's {@code CorruptStoreTest}; here
 * the operator's view of one.)
 */
class DamagedStoreTest {
    @TempDir
    Path dir;

    /** {@code runs} runs of a server appending 20 entries each; each start audits and flushes the one before's. */
    private DataDir runs(int runs) throws Exception {
        DataDir data = new DataDir(dir.resolve("data"));
        for (int run = 0; run < runs; run++) {
            try (RunningServer server = RunningServer.start(data.root()); LedgerClient client = server.operatorClient()) {
                for (int i = 0; i < 20; i++) {
                    client.append(RunningServer.revocation("spiffe://agentledger.local/agent/d" + run + "-" + i, run + "-" + i), false);
                }
            }
        }
        return data;
    }

    /**
     * {@code agentledger log audit} passes a sound store and names an entry overwritten with another
     * well-formed one (in the part a start audited already, a start does not read it again: see the
     * ledger's {@code CorruptStoreTest}).
     */
    @Test
    void theFullAuditFindsAnOverwrittenEntry() throws Exception {
        DataDir data = runs(1);
        CliRun sound = CliRun.run("log", "audit", "--data", data.root().toString());
        assertEquals(0, sound.exit(), sound.err());
        assertTrue(sound.out().startsWith("audited " + data.ledger() + ": tree size "), sound.out());

        List<ColumnFamilyDescriptor> families = Stream.of("default", "entries", "nodes", "checkpoints", "indexes", "leaves")
                .map(name -> new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8))).toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, data.ledger().toString(), families, handles);
                WriteOptions sync = new WriteOptions().setSync(true)) {
            // A well-formed entry: only its hash tells it from the one logged.
            db.put(handles.get(1), sync, ByteBuffer.allocate(8).putLong(3).array(),
                    RunningServer.revocation("spiffe://agentledger.local/agent/tampered", "tampered").toByteArray());
            handles.forEach(ColumnFamilyHandle::close);
        }
        CliRun damaged = CliRun.run("log", "audit", "--data", data.root().toString());
        assertEquals(1, damaged.exit(), damaged.out());
        assertTrue(damaged.err().contains("fails the audit: corrupted store: entry 3 does not hash to its stored leaf"), damaged.err());
    }

    @Test
    void serveRefusesAStoreThatLostATableFile() throws Exception {
        DataDir data = runs(2); // the second start moves the first one's write-ahead log into table files
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
