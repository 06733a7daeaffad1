package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --config} and {@code --print-config}: defaults, then the file, then the flags. */
class ServeConfigTest {
    @Test
    void flagsOverrideTheFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("al.yaml");
        Files.writeString(file, """
                data: %s
                trust-domain: example.org
                listeners:
                  public: {address: 127.0.0.1:9080}
                  private: {address: 127.0.0.1:9443}
                ttl: {approval: 30m}
                """.formatted(dir.resolve("data")));
        CliRun run = CliRun.run("serve", "--config", file.toString(), "--private-addr", "127.0.0.1:7443", "--print-config");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("data: " + dir.resolve("data")), run.out());
        assertTrue(run.out().contains("trust-domain: example.org"), run.out());
        assertTrue(run.out().contains("address: 127.0.0.1:9080"), run.out()); // from the file
        assertTrue(run.out().contains("address: 127.0.0.1:7443"), run.out()); // the flag wins
        assertTrue(run.out().contains("approval: 30m"), run.out());
        assertTrue(run.out().contains("heartbeat: 1s"), run.out()); // a default
        assertTrue(run.out().contains("store: files"), run.out());
        assertTrue(Files.notExists(dir.resolve("data")), "printing the configuration creates nothing");
    }

    @Test
    void aBadFileStopsTheStartNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("al.yaml");
        Files.writeString(file, "listeners:\n  public:\n    port: 80\n");
        CliRun run = CliRun.run("serve", "--config", file.toString(), "--data", dir.resolve("data").toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains(file + ": key listeners.public.port: unknown key"), run.err());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing is created before the configuration is accepted");
    }
}
