package dev.agentledger.verifierclient.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.LogVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The log proof a caller sends with its token: each check refuses, and K cosignatures are required without a tracker. */
class LogProofTest {
    private static final String ORIGIN = "test.example/log";
    private final SignerKey logKey = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);
    private final SignerKey witness = SignerKey.fromSeed("witness.example", SignatureType.COSIGNATURE_V1, new byte[32]);

    /** A one-entry log holding the issuance of {@code token} (id t1): the header value a caller would send. */
    private String proofFor(String token) throws Exception {
        byte[] entry = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder().setTokenId("t1")
                        .setTokenSha256(ByteString.copyFrom(MessageDigest.getInstance("SHA-256")
                                .digest(token.getBytes(StandardCharsets.US_ASCII)))))
                .build().toByteArray();
        Hash root = Rfc6962.hashLeaf(entry);
        String note = Notes.sign(new Checkpoint(ORIGIN, 1, root, List.of()).format(), Ed25519NoteSigner.create(logKey));
        String json = "{\"index\":0,\"entry_base64\":\"" + Base64.getEncoder().encodeToString(entry) + "\",\"checkpoint\":"
                + com.nimbusds.jose.util.JSONStringUtils.toJSONString(note) + ",\"proof\":{\"index\":0,\"tree_size\":1,\"hashes\":[]}}";
        return LogProof.header(json);
    }

    @Test
    void aProofOfThisTokenVerifiesAndOthersAreRefused() throws Exception {
        LogProof proofs = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0), Optional.empty());
        String header = proofFor("the-token");
        assertEquals(0, proofs.verify(header, "the-token", "t1").index());
        assertThrows(VerificationException.class, () -> proofs.verify(header, "another-token", "t1"));
        assertThrows(VerificationException.class, () -> proofs.verify(header, "the-token", "t2"));
        assertThrows(VerificationException.class, () -> proofs.verify("not base64 json", "the-token", "t1"));
        SignerKey otherLog = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        LogProof otherKey = new LogProof(LogVerifier.create(ORIGIN, otherLog.verifierKey(), List.of(), 0), Optional.empty());
        assertThrows(VerificationException.class, () -> otherKey.verify(header, "the-token", "t1"));
    }

    @Test
    void withoutATrackerKCosignaturesAreRequired() throws Exception {
        LogProof strict = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witness.verifierKey()), 1),
                Optional.empty());
        VerificationException e = assertThrows(VerificationException.class, () -> strict.verify(proofFor("the-token"), "the-token", "t1"));
        assertTrue(e.getMessage().contains("cosign"), e.getMessage());
    }

    @Test
    void aRememberedCheckpointProvesOnlyItsOwnEntriesAndAnAlteredNoteIsCheckedAgain() throws Exception {
        LogProof proofs = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0), Optional.empty());
        String header = proofFor("the-token");
        for (int i = 0; i < 3; i++) {
            assertEquals(0, proofs.verify(header, "the-token", "t1").index());
            assertThrows(VerificationException.class, () -> proofs.verify(header, "another-token", "t1"));
        }
        java.util.Map<String, Object> json = com.nimbusds.jose.util.JSONObjectUtils.parse(
                new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8));
        String note = (String) json.get("checkpoint");
        // The same checkpoint body under a signature that is not the log's (one signature byte changed): checked, refused.
        int at = note.length() - 6;
        json.put("checkpoint", note.substring(0, at) + (note.charAt(at) == 'A' ? 'B' : 'A') + note.substring(at + 1));
        String forged = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(json);
        assertThrows(VerificationException.class, () -> proofs.verify(LogProof.header(forged), "the-token", "t1"));
        LogProof strict = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witness.verifierKey()), 1),
                Optional.empty());
        for (int i = 0; i < 2; i++) {
            assertThrows(VerificationException.class, () -> strict.verify(header, "the-token", "t1"));
        }
    }

    @Test
    void theHeaderKeepsOnlyWhatTheCheckReadsAndTheFullApiJsonStillVerifies() throws Exception {
        LogProof proofs = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0), Optional.empty());
        java.util.Map<String, Object> json = com.nimbusds.jose.util.JSONObjectUtils.parse(
                new String(Base64.getUrlDecoder().decode(proofFor("the-token")), StandardCharsets.UTF_8));
        // What the public API serves: also the leaf hash and the decoded entry, which the check does not read.
        json.put("leaf_hash", "AAAA");
        json.put("entry", java.util.Map.of("capability_token_issued", java.util.Map.of("token_id", "t1")));
        String api = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(json);
        String header = LogProof.header(api);
        String kept = new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8);
        assertEquals(java.util.Set.of("index", "entry_base64", "checkpoint", "proof"),
                com.nimbusds.jose.util.JSONObjectUtils.parse(kept).keySet(), kept);
        assertTrue(header.length() < Base64.getUrlEncoder().withoutPadding().encodeToString(api.getBytes(StandardCharsets.UTF_8)).length());
        assertEquals(0, proofs.verify(header, "the-token", "t1").index());
        // A header built from the whole API JSON, as callers did before, verifies the same.
        String whole = Base64.getUrlEncoder().withoutPadding().encodeToString(api.getBytes(StandardCharsets.UTF_8));
        assertEquals(0, proofs.verify(whole, "the-token", "t1").index());
        assertThrows(IllegalArgumentException.class, () -> LogProof.header("{\"index\":0}"));
    }

    @Test
    void membersOfTheWrongTypeAreRefused() throws Exception {
        LogProof proofs = new LogProof(LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0), Optional.empty());
        String good = new String(Base64.getUrlDecoder().decode(proofFor("the-token")), StandardCharsets.UTF_8);
        for (String bad : List.of(
                good.replace("\"index\":0,\"entry", "\"index\":\"0\",\"entry"), // index as a string
                good.replace("\"index\":0,\"entry", "\"index\":0.0,\"entry"), // a fraction
                good.replace("\"hashes\":[]", "\"hashes\":{}"), // hashes not a list
                good.replace("\"hashes\":[]", "\"hashes\":[1]"), // a hash not a string
                good.replace("\"tree_size\":1", "\"tree_size\":1,\"tree_size\":1"), // a duplicate member
                good + "x")) { // trailing data
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString(bad.getBytes(StandardCharsets.UTF_8));
            assertThrows(VerificationException.class, () -> proofs.verify(header, "the-token", "t1"), bad);
        }
    }
}
