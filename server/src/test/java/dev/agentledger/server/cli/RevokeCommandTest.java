package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agentledger revoke} against a server running in this JVM, and its refusals of bad options. */
class RevokeCommandTest {
    @Test
    void revokesWithTheOperatorCredentialsAndPrintsTheVerifiedEvent(@TempDir Path dir) throws Exception {
        DataDir data = new DataDir(dir);
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data).withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0));
        try (AgentLedgerServer server = AgentLedgerServer.start(config, prepared, InstantSource.system())) {
            String address = server.privateAddress().toString();
            CliRun first = CliRun.run("revoke", "--data", dir.toString(), "--private-addr", address,
                    "--delegation", "d-42", "--reason", "agent-compromise", "--cascade", "--detail", "stolen laptop");
            assertEquals(0, first.exit(), first.err());
            // The fresh log already holds the issuer's key publications: the revocation follows them.
            assertTrue(first.out().startsWith("revoked: sequence 1, log index " + (server.ledger().checkpoint().size() - 1) + "\n"),
                    first.out());
            assertTrue(first.out().contains("  delegation_id d-42\n"), first.out());
            assertTrue(first.out().contains("verified:"), first.out());
            CliRun second = CliRun.run("revoke", "--data", dir.toString(), "--private-addr", address,
                    "--user", "https://idp.example#alice", "--reason", "WITHDRAWN", "--effective", "2026-11-20T10:00:00Z");
            assertEquals(0, second.exit(), second.err());
            assertTrue(second.out().startsWith("revoked: sequence 2"), second.out());
            assertEquals(2, server.revocations().lastSequence());
        }
    }

    @Test
    void badOptionsSayWhatIsWrong(@TempDir Path dir) {
        CliRun none = CliRun.run("revoke", "--data", dir.toString(), "--reason", "withdrawn");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("Missing required argument"), none.err());
        CliRun two = CliRun.run("revoke", "--data", dir.toString(), "--reason", "withdrawn",
                "--token-id", "a", "--delegation", "b");
        assertEquals(2, two.exit());
        assertTrue(two.err().contains("mutually exclusive"), two.err());
        CliRun reason = CliRun.run("revoke", "--data", dir.toString(), "--reason", "bored", "--token-id", "a");
        assertEquals(1, reason.exit());
        assertTrue(reason.err().contains("--reason \"bored\" is not one of key-compromise"), reason.err());
        CliRun user = CliRun.run("revoke", "--data", dir.toString(), "--reason", "withdrawn", "--user", "alice");
        assertTrue(user.err().contains("is not ISSUER#SUBJECT"), user.err());
        CliRun effective = CliRun.run("revoke", "--data", dir.toString(), "--reason", "withdrawn", "--token-id", "a",
                "--effective", "tomorrow");
        assertTrue(effective.err().contains("is not an ISO-8601 instant"), effective.err());
    }

    @Test
    void helpExplainsTargetsAndCascade() {
        CliRun help = CliRun.run("revoke", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Give exactly one target. With --cascade"), help.out());
        assertTrue(help.out().contains("--agent-instance"), help.out());
    }
}
