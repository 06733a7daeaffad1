package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.proxy.SecretStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agentledger proxy secrets put|list} and {@code proxy --config} with a bad file. */
class ProxySecretsCommandTest {
    @Test
    void putReadsTheValueFromStandardInputAndNeverPrintsIt(@TempDir Path dir) throws Exception {
        Path passphrase = dir.resolve("passphrase");
        Files.writeString(passphrase, "a passphrase for the test\n");
        Path store = dir.resolve("secrets.enc");
        InputStream stdin = System.in;
        CliRun put;
        try {
            System.setIn(new ByteArrayInputStream("sk-from-stdin-42\n".getBytes(StandardCharsets.UTF_8)));
            put = CliRun.run("proxy", "secrets", "put", "billing-api-key", "--store", store.toString(),
                    "--passphrase-file", passphrase.toString());
        } finally {
            System.setIn(stdin);
        }
        assertEquals(0, put.exit(), put.err());
        assertTrue(put.out().contains("stored secret billing-api-key (16 bytes)"), put.out());
        assertFalse(put.out().contains("sk-from-stdin"), put.out());
        SecretStore opened = SecretStore.open(store, "a passphrase for the test".toCharArray(), false);
        assertEquals(Set.of("billing-api-key"), opened.names());
        CliRun list = CliRun.run("proxy", "secrets", "list", "--store", store.toString(), "--passphrase-file", passphrase.toString());
        assertEquals(0, list.exit(), list.err());
        assertEquals("billing-api-key", list.out().strip());

        Files.writeString(passphrase, "not the passphrase\n");
        CliRun wrong = CliRun.run("proxy", "secrets", "list", "--store", store.toString(), "--passphrase-file", passphrase.toString());
        assertNotEquals(0, wrong.exit());
        assertTrue(wrong.err().contains("wrong passphrase or modified file"), wrong.err());
    }

    @Test
    void aConfigurationWithAnUnknownKeyOrAMissingValueIsRefusedWithItsName(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("proxy.yaml");
        String vkey = dev.agentledger.merkle.note.SignerKey.generate("agentledger.local/log",
                dev.agentledger.merkle.note.SignatureType.ED25519).verifierKey().toString();
        Files.writeString(config, """
                listen: 127.0.0.1:0
                identity: {certificate: a.pem, key: k.pem}
                authority: {public_url: "http://127.0.0.1:1", private_url: "https://localhost:2", ca_certificate: ca.pem,
                            trust_domain: agentledger.local, log_key: "%s"}
                upstreams:
                  - {name: "spiffe://agentledger.local/tool/x", prefix: /x, url: "http://127.0.0.1:3",
                     routes: [{method: GET, path: /, action: "x:read"}], rate_limits: {per_second: 1, burst: 1}}
                """.formatted(vkey));
        CliRun unknown = CliRun.run("proxy", "--config", config.toString());
        assertNotEquals(0, unknown.exit());
        assertTrue(unknown.err().contains("rate_limits"), unknown.err());
        Files.writeString(config, "listen: 127.0.0.1:0\nidentity: {certificate: a.pem, key: k.pem}\n");
        CliRun missing = CliRun.run("proxy", "--config", config.toString());
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("proxy.yaml: missing"), missing.err());
    }
}
