package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.UnrecoverableKeyException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyDirectoryTest {
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    @TempDir
    Path directory;

    private Ledger openLedger(Path dir) {
        SignerKey key = SignerKey.fromSeed(TestLog.ORIGIN, SignatureType.ED25519, new byte[32]);
        return Ledger.open(LedgerConfig.of(dir, TestLog.ORIGIN, Ed25519NoteSigner.create(key),
                Ed25519NoteVerifier.create(key.verifierKey())).withIndexer(LogEntryIndexer.INSTANCE));
    }

    @Test
    void aRestartAfterRotationsKeepsTheRetiredKeysAndTheSequence() throws Exception {
        Path keys = directory.resolve("keys");
        IssuerConfig config = IssuerConfig.of(TestLog.TRUST_DOMAIN);
        try (Ledger ledger = openLedger(directory.resolve("log"))) {
            Issuer issuer = Issuer.open(ledger, config, keys, PASSPHRASE);
            var oldSvid = issuer.issueX509Svid(SpiffeId.of(TestLog.TRUST_DOMAIN, "a/1"), Csrs.of(Csrs.p256())).credential();
            var oldJwt = issuer.issueJwtSvid(SpiffeId.of(TestLog.TRUST_DOMAIN, "a/1"), java.util.List.of("tool")).credential();
            issuer.rotateCaKey();
            issuer.rotateJwtKey();
            issuer.rotateAccessTokenKey();
            TrustBundle before = issuer.trustBundle();
            assertEquals(3, before.sequence(), "two bundle changes after the first publication");

            Issuer reopened = Issuer.open(ledger, config, keys, PASSPHRASE);
            TrustBundle after = reopened.trustBundle();
            assertEquals(before.sequence(), after.sequence(), "spiffe_sequence never goes back");
            assertEquals(before.x509Authorities(), after.x509Authorities(), "the retired CA stays in the bundle");
            assertEquals(2, after.x509Authorities().size(), "the new CA and the retired one");
            oldSvid.verify(after.x509Authorities().get(1).getPublicKey());
            assertEquals(before.jwtAuthorities().keySet(), after.jwtAuthorities().keySet());
            assertTrue(after.jwtAuthorities().containsKey(oldJwt.keyId()), "JWT-SVIDs signed before the rotation still verify");
            assertEquals(issuer.accessTokenKeys().keyIds(), reopened.accessTokenKeys().keyIds());
            for (Authorities.Retired retired : reopened.authorities().retired()) {
                assertFalse(retired.key().canSign(), "a retired key's private half is not kept");
            }
            String published = Files.readString(keys.resolve("published.txt"), StandardCharsets.US_ASCII);
            assertFalse(published.contains("PRIVATE"), published);
        }
    }

    @Test
    void keysSurviveARestartAndAreNotPublishedTwice() throws Exception {
        Path keys = directory.resolve("keys");
        IssuerConfig config = IssuerConfig.of(TestLog.TRUST_DOMAIN);
        try (Ledger ledger = openLedger(directory.resolve("log"))) {
            Issuer first = Issuer.open(ledger, config, keys, PASSPHRASE);
            long published = ledger.checkpoint().size();
            assertEquals(3, published, "CA, JWT-SVID and access-token keys");
            Issuer second = Issuer.open(ledger, config, keys, PASSPHRASE);
            assertEquals(published, ledger.checkpoint().size(), "stored keys were logged already");
            assertEquals(first.caCertificate(), second.caCertificate());
            assertEquals(first.authorities().jwt().keyId(), second.authorities().jwt().keyId());
            assertEquals(first.authorities().jwt().privateKey(), second.authorities().jwt().privateKey());
            assertEquals(first.authorities().jwt().notAfter(), second.authorities().jwt().notAfter());
            second.issueX509Svid(SpiffeId.of(TestLog.TRUST_DOMAIN, "a/1"), Csrs.of(Csrs.p256()))
                    .credential().verify(first.caCertificate().getPublicKey());

            second.rotateJwtKey();
            Issuer third = Issuer.open(ledger, config, keys, PASSPHRASE);
            assertEquals(second.authorities().jwt().keyId(), third.authorities().jwt().keyId(), "rotation is stored");
        }
    }

    @Test
    void filesAreOwnerOnlyAndPrivateKeysEncrypted() throws Exception {
        Path keys = directory.resolve("keys");
        try (Ledger ledger = openLedger(directory.resolve("log"))) {
            Issuer issuer = Issuer.open(ledger, IssuerConfig.of(TestLog.TRUST_DOMAIN), keys, PASSPHRASE);
            List<Path> files;
            try (Stream<Path> list = Files.list(keys)) {
                files = list.toList();
            }
            assertEquals(8, files.size(), files.toString());
            for (Path file : files) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
            for (String name : List.of("ca-key.pem", "jwt-key.pem", "access-token-key.pem")) {
                String text = Files.readString(keys.resolve(name), StandardCharsets.US_ASCII);
                assertTrue(text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), name);
                byte[] der = java.util.Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", "").trim());
                for (SigningKey key : issuer.authorities().all().stream().filter(SigningKey::canSign).toList()) {
                    assertFalse(JwtSvidTest.contains(der, key.privateKey().getEncoded()), name + " holds a clear key");
                }
            }
        }
    }

    @Test
    void wrongPassphraseIsAClearError() throws Exception {
        Path keys = directory.resolve("keys");
        try (Ledger ledger = openLedger(directory.resolve("log"))) {
            Issuer.open(ledger, IssuerConfig.of(TestLog.TRUST_DOMAIN), keys, PASSPHRASE);
            long size = ledger.checkpoint().size();
            UnrecoverableKeyException e = assertThrows(UnrecoverableKeyException.class,
                    () -> Issuer.open(ledger, IssuerConfig.of(TestLog.TRUST_DOMAIN), keys, "wrong passphrase".toCharArray()));
            assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
            assertEquals(size, ledger.checkpoint().size());
        }
    }

    @Test
    void storedKeysOfAnotherTrustDomainAreRefused() throws Exception {
        Path keys = directory.resolve("keys");
        try (Ledger ledger = openLedger(directory.resolve("log"))) {
            Issuer.open(ledger, IssuerConfig.of(TestLog.TRUST_DOMAIN), keys, PASSPHRASE);
            assertThrows(IllegalArgumentException.class,
                    () -> Issuer.open(ledger, IssuerConfig.of("other.example"), keys, PASSPHRASE));
        }
    }

    @Test
    void shortPassphraseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyDirectory(directory, "short".toCharArray()));
    }
}
