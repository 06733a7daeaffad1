package dev.agentledger.server.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapTest {
    private static Bootstrap.Prepared prepare(Path dir, Optional<String> td) throws BootstrapException {
        return Bootstrap.prepare(new DataDir(dir), td, Optional.empty(), InstantSource.system());
    }

    @Test
    void firstStartCreatesSecretsOwnerOnlyAndASecondStartReusesThem(@TempDir Path dir) throws Exception {
        Bootstrap.Prepared first = prepare(dir, Optional.empty());
        DataDir d = first.dir();
        for (Path secret : List.of(d.logKey(), d.caKey(), d.serverKey(), d.operatorKey())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)), secret.toString());
            assertTrue(first.created().contains(secret));
        }
        assertEquals("agentledger.local", first.settings().trustDomain());
        assertEquals("agentledger.local/log", first.settings().origin());
        Bootstrap.Prepared second = prepare(dir, Optional.of("agentledger.local"));
        assertTrue(second.created().isEmpty());
        assertEquals(first.logKey(), second.logKey());
        assertArrayEquals(first.caCertificate().getEncoded(), second.caCertificate().getEncoded());
        assertArrayEquals(first.server().certificate().getEncoded(), second.server().certificate().getEncoded());
    }

    @Test
    void theTlsKeysAreEncryptedAtRestAndOlderPlainOnesStillRead(@TempDir Path dir) throws Exception {
        Bootstrap.Prepared first = prepare(dir, Optional.empty());
        DataDir d = first.dir();
        for (Path key : List.of(d.serverKey(), d.operatorKey())) {
            String text = Files.readString(key);
            assertTrue(dev.agentledger.issuer.EncryptedPrivateKeys.isEncrypted(text), key + " is encrypted");
            assertFalse(text.contains("BEGIN PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY"), key.toString());
        }
        assertEquals(first.server().key(), Credentials.read(d.serverKey(), d.serverCertificate(), first.passphrase().value()).key());
        Credentials operator = Bootstrap.operator(d);
        assertThrows(java.security.UnrecoverableKeyException.class,
                () -> Credentials.read(d.operatorKey(), d.operatorCertificate(), "not the passphrase".toCharArray()));
        // A data directory from before: plain PEM keys are still read.
        Files.delete(d.operatorKey());
        Files.writeString(d.operatorKey(), Pem.privateKey(operator.key()));
        assertEquals(operator.key(), Bootstrap.operator(d).key());
        assertThrows(BootstrapException.class, () -> Bootstrap.operator(new DataDir(dir.resolve("elsewhere"))));
    }

    @Test
    void theAuthorityKeysAreEncryptedAtRestAndAWrongPassphraseIsRefused(@TempDir Path dir) throws Exception {
        Bootstrap.Prepared first = prepare(dir, Optional.empty());
        DataDir d = first.dir();
        for (Path key : List.of(d.logKey(), d.caKey())) {
            String text = Files.readString(key);
            assertTrue(text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), key + " is not encrypted");
            assertFalse(text.contains("PRIVATE+KEY"), key.toString());
        }
        assertEquals(KeyPassphrase.Source.DATA_DIRECTORY, first.passphrase().source());
        // The CA still signs after a restart: its key decrypts.
        Bootstrap.certificateAuthority(d, first.passphrase().value(), InstantSource.system())
                .issueClient(dev.agentledger.proto.SpiffeId.of("agentledger.local", "user/x"));

        Files.writeString(d.keyPassphrase(), "another passphrase, not the one");
        BootstrapException wrong = assertThrows(BootstrapException.class, () -> prepare(dir, Optional.empty()));
        assertTrue(wrong.getMessage().contains("wrong passphrase"), wrong.getMessage());
    }

    @Test
    void plainKeysOfAnOlderDirectoryAreStillRead(@TempDir Path dir) throws Exception {
        DataDir d = new DataDir(dir);
        var origin = "agentledger.local/log";
        new Settings("agentledger.local", origin).write(d.settings());
        var key = dev.agentledger.merkle.note.SignerKey.generate(origin, dev.agentledger.merkle.note.SignatureType.ED25519);
        Files.createDirectories(d.logKey().getParent());
        Files.writeString(d.logKey(), key.toPrivateKeyString() + "\n");
        assertEquals(key, prepare(dir, Optional.empty()).logKey());
    }

    @Test
    void anotherTrustDomainForAnExistingDirectoryIsRefusedWithAHint(@TempDir Path dir) throws Exception {
        prepare(dir, Optional.empty());
        BootstrapException e = assertThrows(BootstrapException.class, () -> prepare(dir, Optional.of("other.example")));
        assertTrue(e.getMessage().contains("leave out --trust-domain"), e.getMessage());
    }

    @Test
    void certificatesAreSvidsWithTheRightUses(@TempDir Path dir) throws Exception {
        Bootstrap.Prepared p = prepare(dir, Optional.of("example.org"));
        X509Certificate ca = p.caCertificate();
        assertTrue(ca.getBasicConstraints() >= 0);
        assertTrue(ca.getKeyUsage()[5], "keyCertSign");
        assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.15"));
        assertEquals(List.of(List.of(6, "spiffe://example.org")), List.copyOf(ca.getSubjectAlternativeNames()));

        X509Certificate server = p.server().certificate();
        server.verify(ca.getPublicKey());
        assertEquals(-1, server.getBasicConstraints());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
        var names = server.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).toList();
        assertTrue(names.containsAll(List.of("spiffe://example.org/agentledger/server", "localhost", "127.0.0.1")), names.toString());

        Credentials operator = Bootstrap.operator(p.dir());
        X509Certificate client = operator.certificate();
        client.verify(ca.getPublicKey());
        assertEquals(-1, client.getBasicConstraints());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), client.getExtendedKeyUsage());
        assertTrue(client.getKeyUsage()[0], "digitalSignature");
        assertFalse(client.getKeyUsage()[5], "keyCertSign");
        assertTrue(client.getCriticalExtensionOIDs().contains("2.5.29.15"), "key usage is critical");
        assertEquals(List.of(List.of(6, "spiffe://example.org/operator")), List.copyOf(client.getSubjectAlternativeNames()));
    }
}
