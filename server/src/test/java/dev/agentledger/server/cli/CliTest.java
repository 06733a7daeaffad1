package dev.agentledger.server.cli;

import static dev.agentledger.server.cli.CliRun.run;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line end to end against a server running in this JVM. */
class CliTest {
    @Test
    void logAddGetAndProofEndToEnd(@TempDir Path dir) throws Exception {
        DataDir data = new DataDir(dir);
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data).withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0));
        try (AgentLedgerServer server = AgentLedgerServer.start(config, prepared, InstantSource.system())) {
            String json = "{\"header\":{\"request_id\":\"cli-1\",\"caller_spiffe_id\":\"spiffe://evil/x\"},"
                    + "\"revoked\":{\"spiffe_id\":\"spiffe://agentledger.local/agent/7\",\"reason\":\"REVOCATION_REASON_WITHDRAWN\"}}";
            long first = server.ledger().checkpoint().size(); // the issuer's key publications come first
            CliRun add = run("log", "add", "--data", dir.toString(), "--private-addr", server.privateAddress().toString(), json);
            assertEquals(0, add.exit(), add.err());
            assertTrue(add.out().startsWith("index: " + first + "\n"), add.out());
            assertTrue(add.out().contains("verified:"), add.out());
            assertTrue(add.out().contains(prepared.settings().origin()), add.out());
            CliRun second = run("log", "add", "--data", dir.toString(), "--private-addr", server.privateAddress().toString(), json);
            assertTrue(second.out().startsWith("index: " + (first + 1) + "\n"), second.out());

            CliRun get = run("log", "get", Long.toString(first), "--data", dir.toString(), "--public-url", server.publicUrl());
            assertEquals(0, get.exit(), get.err());
            assertTrue(get.out().contains("spiffe://agentledger.local/operator"), get.out());
            assertTrue(get.out().contains("verified:"), get.out());

            CliRun proof = run("log", "proof", Long.toString(first), "--size", Long.toString(first + 1), "--data", dir.toString(),
                    "--public-url", server.publicUrl());
            assertEquals(0, proof.exit(), proof.err());
            assertTrue(proof.out().contains("tree size " + (first + 1)), proof.out());

            // Appends in flight together share a batch, and a batch gets one checkpoint at its end.
            java.util.List<java.util.concurrent.CompletableFuture<?>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                burst.add(server.ledger().append(dev.agentledger.proto.v1.LogEntry.newBuilder()
                        .setHeader(dev.agentledger.proto.v1.Header.newBuilder().setSchemaVersion(1).setRequestId("burst-" + i))
                        .setRevoked(dev.agentledger.proto.v1.Revoked.newBuilder().setSpiffeId("spiffe://agentledger.local/agent/b" + i))
                        .build().toByteArray(), false));
            }
            burst.forEach(java.util.concurrent.CompletableFuture::join);
            long end = server.ledger().checkpoint().size();
            long unsignedSize = java.util.stream.LongStream.rangeClosed(1, end).filter(n -> server.ledger().checkpoint(n).isEmpty())
                    .findFirst().orElseThrow(() -> new AssertionError("every size up to " + end + " has a checkpoint"));
            CliRun unsigned = run("log", "proof", "0", "--size", Long.toString(unsignedSize), "--data", dir.toString(),
                    "--public-url", server.publicUrl());
            assertEquals(0, unsigned.exit(), unsigned.err());
            assertTrue(unsigned.out().contains("no checkpoint was signed at tree size " + unsignedSize), unsigned.out());
            assertTrue(unsigned.out().contains("consistent with the checkpoint"), unsigned.out());

            CliRun beyond = run("log", "proof", "0", "--size", "100000", "--data", dir.toString(), "--public-url", server.publicUrl());
            assertEquals(1, beyond.exit());
            assertTrue(beyond.err().contains("beyond the latest checkpoint"), beyond.err());

            CliRun viaDiscovery = run("log", "proof", "1", "--public-url", server.publicUrl());
            assertEquals(0, viaDiscovery.exit(), viaDiscovery.err());
            assertTrue(viaDiscovery.err().contains("warning"), viaDiscovery.err());

            CliRun wrongKey = run("log", "get", "0", "--public-url", server.publicUrl(), "--vkey",
                    dev.agentledger.merkle.note.SignerKey.generate(prepared.settings().origin(),
                            dev.agentledger.merkle.note.SignatureType.ED25519).verifierKey().toString());
            assertEquals(1, wrongKey.exit());
            assertTrue(wrongKey.err().contains("does not verify"), wrongKey.err());

            CliRun malformed = run("log", "add", "--data", dir.toString(), "--private-addr", server.privateAddress().toString(), "{nope");
            assertEquals(1, malformed.exit());
            assertTrue(malformed.err().contains("not a LogEntry in protobuf JSON"), malformed.err());

            CliRun noEvent = run("log", "add", "--data", dir.toString(), "--private-addr", server.privateAddress().toString(), "{}");
            assertEquals(1, noEvent.exit());
            assertTrue(noEvent.err().contains("INVALID_ARGUMENT"), noEvent.err());
            assertEquals(first + 2 + 64, server.ledger().checkpoint().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "agent", "agent spawn", "log", "log add", "log get", "log proof",
        "approvals", "approvals list", "approvals approve", "approvals deny", "verify", "verify svid",
        "verify jwt-svid", "verify token", "verify chain", "demo", "monitor", "revoke", "witness", "backup", "keys", "keys rotate"})
    void everyCommandExplainsItself(String command) {
        String[] args = (command + " --help").split(" ");
        CliRun help = run(args);
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Usage: agentledger " + command), help.out());
        CommandLine sub = Main.commandLine();
        for (String name : command.split(" ")) {
            sub = sub.getSubcommands().get(name);
        }
        assertTrue(sub.getCommandSpec().usageMessage().description().length > 0, command + " has no description");
        for (var option : sub.getCommandSpec().options()) {
            assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                    command + " " + option.longestName() + " has no description");
        }
    }

    @Test
    void aMissingDataDirectorySaysWhatToDo(@TempDir Path dir) {
        CliRun add = run("log", "add", "--data", dir.resolve("none").toString(), "{}");
        assertEquals(1, add.exit());
        assertTrue(add.err().contains("give the --data directory"), add.err());
    }
}
