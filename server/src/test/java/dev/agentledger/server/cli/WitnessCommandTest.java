package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.WitnessKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WitnessCommandTest {
    @Test
    void helpExplainsTheProtocol() {
        CliRun help = CliRun.run("witness", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("add-checkpoint"), help.out());
        assertTrue(help.out().contains("--log=ORIGIN=VKEY"), help.out());
    }

    @Test
    void badLogOptionIsAClearError(@TempDir Path dir) {
        CliRun run = CliRun.run("witness", "--data", dir.toString(), "--log", "no-key-here");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("is not ORIGIN=VKEY"), run.err());
        String cosigner = SignerKey.generate("w", SignatureType.COSIGNATURE_V1).verifierKey().toString();
        CliRun wrongType = CliRun.run("witness", "--data", dir.toString(), "--log", "example.test/log=" + cosigner);
        assertEquals(1, wrongType.exit());
        assertTrue(wrongType.err().contains("want the log's Ed25519 note key"), wrongType.err());
        assertFalse(Files.exists(dir.resolve(WitnessKeys.KEY_FILE)));
    }

    @Test
    void keyIsGeneratedOnceOwnerOnly(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("witness");
        WitnessKeys.Loaded first = WitnessKeys.loadOrCreate(data, "witness.test/w1");
        assertTrue(first.created());
        assertEquals(SignatureType.COSIGNATURE_V1, first.key().type());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(WitnessKeys.KEY_FILE))));
        assertEquals(first.key().verifierKey() + "\n", Files.readString(data.resolve(WitnessKeys.VERIFIER_KEY_FILE)));
        WitnessKeys.Loaded second = WitnessKeys.loadOrCreate(data, "witness.test/w1");
        assertFalse(second.created());
        assertEquals(first.key(), second.key());
        assertThrows(BootstrapException.class, () -> WitnessKeys.loadOrCreate(data, "another-name"));
    }
}
