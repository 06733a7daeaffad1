package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.agentledger.server.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.server.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentledger backup} end to end: the operator backs up a running authority; a server
 * started on the copy serves the same log and keys and goes on appending; other roles, an
 * existing directory and a directory inside the data directory are refused and write nothing; a
 * backup behind a checkpoint the log later published refuses to start.
 */
class BackupCliTest {
    @TempDir
    Path dir;

    @Test
    void aBackupOfARunningAuthorityStartsAsTheSameAuthority() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("backup");
        byte[] agentEntry;
        SignedCheckpoint before;
        try (AgentAuthority authority = AgentAuthority.start(data)) {
            authority.spawn("worker");
            List<String> connection = List.of("--data", data.toString(),
                    "--private-addr", authority.server.server.privateAddress().toString());

            authority.approver.write(dir.resolve("bob.key"), dir.resolve("bob.pem"));
            List<String> asBob = new ArrayList<>(List.of("backup", dir.resolve("by-bob").toString()));
            asBob.addAll(connection);
            asBob.addAll(List.of("--cert", dir.resolve("bob.pem").toString(), "--key", dir.resolve("bob.key").toString()));
            CliRun refused = run(asBob);
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("may not write a backup"), refused.err());
            assertFalse(Files.exists(dir.resolve("by-bob")));

            CliRun inside = run(concat(List.of("backup", data.resolve("copy").toString()), connection));
            assertEquals(1, inside.exit());
            assertTrue(inside.err().contains("outside the data directory"), inside.err());

            CliRun made = run(concat(List.of("backup", backup.toString()), connection));
            assertEquals(0, made.exit(), made.err());
            before = authority.server.server.ledger().checkpoint();
            assertTrue(made.out().contains("tree size " + before.size()), made.out());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
            agentEntry = authority.server.server.ledger().entry(before.size() - 1).orElseThrow();

            CliRun again = run(concat(List.of("backup", backup.toString()), connection));
            assertEquals(1, again.exit());
            assertTrue(again.err().contains("already exists"), again.err());

            // The live log goes on and (say) its witnesses cosign a later checkpoint: the backup
            // is now behind what the log published, and must not start.
            authority.spawn("later");
            Files.write(backup.resolve("witnessed-checkpoint"), authority.server.server.ledger().checkpoint().noteBytes());
        }
        var behind = org.junit.jupiter.api.Assertions.assertThrows(dev.agentledger.ledger.StorageException.class,
                () -> RunningServer.start(backup));
        assertTrue(behind.getMessage().contains("behind the log it published"), behind.getMessage());
        Files.delete(backup.resolve("witnessed-checkpoint"));
        try (RunningServer restored = RunningServer.start(backup)) {
            SignedCheckpoint after = restored.server.ledger().checkpoint();
            assertArrayEquals(before.noteBytes(), after.noteBytes());
            assertArrayEquals(agentEntry, restored.server.ledger().entry(before.size() - 1).orElseThrow());
            try (var client = restored.operatorClient()) {
                assertEquals(before.size(), client.append(RunningServer.revocation(
                        "spiffe://agentledger.local/agent/after-restore", "r"), false).getIndex());
            }
        }
    }

    @Test
    void theOperatorRotatesAKeyAndTheBundleKeepsTheOldOne() throws Exception {
        Path data = dir.resolve("data");
        try (AgentAuthority authority = AgentAuthority.start(data)) {
            List<String> connection = List.of("--data", data.toString(),
                    "--private-addr", authority.server.server.privateAddress().toString());
            String before = authority.server.getText("/api/v1/bundle");
            CliRun rotated = run(concat(List.of("keys", "rotate", "ca"), connection));
            assertEquals(0, rotated.exit(), rotated.err());
            assertTrue(rotated.out().startsWith("rotated the ca key; trust bundle sequence "), rotated.out());
            String after = authority.server.getText("/api/v1/bundle");
            assertEquals(count(before, "\"x509-svid\"") + 1, count(after, "\"x509-svid\""), after);

            CliRun unknown = run(concat(List.of("keys", "rotate", "log"), connection));
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("give {\"key\": \"ca\"}"), unknown.err());

            authority.approver.write(dir.resolve("bob.key"), dir.resolve("bob.pem"));
            List<String> asBob = new ArrayList<>(List.of("keys", "rotate", "jwt-svid"));
            asBob.addAll(connection);
            asBob.addAll(List.of("--cert", dir.resolve("bob.pem").toString(), "--key", dir.resolve("bob.key").toString()));
            CliRun refused = run(asBob);
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("may not rotate keys"), refused.err());
            assertEquals(after, authority.server.getText("/api/v1/bundle"));
        }
    }

    private static int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
