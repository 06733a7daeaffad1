package dev.agentledger.server.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.verifierclient.CheckpointTracker;
import dev.agentledger.verifierclient.ForkException;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.WitnessLagPolicy;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /add-checkpoint} over HTTP against real ledgers: every answer of c2sp.org/tlog-witness
 * and malformed bodies, then a forked log (a second ledger signing a diverging history with the same
 * key and origin) refused by the witness and caught by the checkpoint tracker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WitnessHttpTest {
    private static final String ORIGIN = "example.test/log";

    private Path dir;

    private final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    private final SignerKey witnessKey = SignerKey.generate("witness.test/w1", SignatureType.COSIGNATURE_V1);
    private final HttpClient http = HttpClient.newHttpClient();
    private TestLedger log;
    private TestLedger fork;
    private TestLedger impostor;
    private TestLedger otherOrigin;
    private int witnesses;

    @BeforeAll
    void openLedgers(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        log = new TestLedger(dir.resolve("log"), ORIGIN, logKey, "a").growTo(4).growTo(8).growTo(12);
        fork = new TestLedger(dir.resolve("fork"), ORIGIN, logKey, "b").growTo(4).growTo(8).growTo(12);
        impostor = new TestLedger(dir.resolve("impostor"), ORIGIN, SignerKey.generate(ORIGIN, SignatureType.ED25519), "a")
                .growTo(8);
        String other = "other.test/log";
        otherOrigin = new TestLedger(dir.resolve("other"), other, SignerKey.generate(other, SignatureType.ED25519), "a")
                .growTo(8);
    }

    @AfterAll
    void closeLedgers() {
        for (TestLedger l : List.of(log, fork, impostor, otherOrigin)) {
            l.close();
        }
    }

    /** A fresh witness for the log, in its own directory; it has cosigned size 4 unless {@code fresh}. */
    private WitnessServer witness(boolean fresh) throws Exception {
        Witness witness = Witness.create(CosignatureV1Signer.create(witnessKey, InstantSource.system()),
                Map.of(ORIGIN, List.of(logKey.verifierKey())), new FileWitnessStore(dir.resolve("w" + witnesses++)));
        WitnessServer server = WitnessServer.start(witness, new HostPort("127.0.0.1", 0));
        if (!fresh) {
            assertEquals(200, post(server, body(0, List.of(), log.note(4))).statusCode());
        }
        return server;
    }

    private HttpResponse<String> post(WitnessServer server, String body) throws Exception {
        return post(server, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(WitnessServer server, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/add-checkpoint"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(long oldSize, List<Hash> proof, String note) {
        return new AddCheckpointRequest(oldSize, proof, note).format();
    }

    private List<Hash> proof(TestLedger ledger, long size1, long size2) {
        return ledger.consistency(size1, size2).hashes();
    }

    /** Each row: the witness has cosigned the log at 4 (or nothing when fresh), then gets this request. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "advance 4 to 8, 200",
        "same size same root, 200",
        "fresh witness old 0, 200",
        "unknown origin, 404",
        "signed by an unknown key of the origin, 403",
        "log signature tampered, 403",
        "old size above checkpoint size, 400",
        "old size behind the latest, 409",
        "old size 0 after cosigning 4, 409",
        "old size ahead of the latest, 409",
        "same size different root, 409",
        "proof does not verify, 422",
        "proof from the forked history, 422",
        "proof one hash short, 422",
        "non-empty proof with old size 0, 422",
        "proof between equal sizes, 422",
        "64 proof lines, 400",
        "proof line not base64, 400",
        "proof line of 31 bytes, 400",
        "proof line without padding, 400",
        "old size with leading zero, 400",
        "old size negative, 400",
        "no old line, 400",
        "missing blank line, 400",
        "trailing garbage after the note, 400",
        "no checkpoint, 400",
        "body without final newline, 400",
        "oversize body, 400",
        "not UTF-8, 400",
        "checkpoint text malformed, 400",
    })
    void addCheckpointStatus(String name, int status) throws Exception {
        boolean fresh = name.startsWith("fresh") || name.startsWith("non-empty");
        String note8 = log.note(8);
        List<Hash> proof48 = proof(log, 4, 8);
        Object request = switch (name) {
            case "advance 4 to 8" -> body(4, proof48, note8);
            case "same size same root" -> body(4, List.of(), log.note(4));
            case "fresh witness old 0" -> body(0, List.of(), note8);
            case "unknown origin" -> body(4, proof48, otherOrigin.note(8));
            case "signed by an unknown key of the origin" -> body(4, proof48, impostor.note(8));
            case "log signature tampered" -> body(4, proof48, flipLastSignatureBit(note8));
            case "old size above checkpoint size" -> body(12, List.of(), note8);
            case "old size behind the latest" -> body(2, proof(log, 2, 8), note8);
            case "old size 0 after cosigning 4" -> body(0, List.of(), note8);
            case "old size ahead of the latest" -> body(8, List.of(), note8);
            case "same size different root" -> body(4, List.of(), fork.note(4));
            case "proof does not verify" -> {
                List<Hash> bad = new ArrayList<>(proof48);
                bad.set(0, Rfc6962.hashLeaf(new byte[0]));
                yield body(4, bad, note8);
            }
            case "proof from the forked history" -> body(4, proof(fork, 4, 8), fork.note(8));
            case "proof one hash short" -> body(4, proof48.subList(1, proof48.size()), note8);
            case "non-empty proof with old size 0" -> body(0, proof48, note8);
            case "proof between equal sizes" -> body(4, List.of(Rfc6962.EMPTY_ROOT), log.note(4));
            case "64 proof lines" -> "old 4\n" + (Rfc6962.EMPTY_ROOT.toBase64() + "\n").repeat(64) + "\n" + note8;
            case "proof line not base64" -> "old 4\n@@@@\n\n" + note8;
            case "proof line of 31 bytes" -> "old 4\n" + java.util.Base64.getEncoder().encodeToString(new byte[31])
                    + "\n\n" + note8;
            case "proof line without padding" -> "old 4\n" + proof48.get(0).toBase64().replace("=", "") + "\n\n" + note8;
            case "old size with leading zero" -> "old 04\n" + lines(proof48) + "\n" + note8;
            case "old size negative" -> "old -4\n" + lines(proof48) + "\n" + note8;
            case "no old line" -> lines(proof48) + "\n" + note8;
            case "missing blank line" -> "old 4\n" + lines(proof48) + note8;
            case "trailing garbage after the note" -> body(4, proof48, note8) + "garbage";
            case "no checkpoint" -> "old 4\n" + lines(proof48) + "\n";
            case "body without final newline" -> "old 4";
            case "oversize body" -> body(4, proof48, note8) + "x".repeat(AddCheckpointRequest.MAX_BODY_SIZE);
            case "not UTF-8" -> {
                byte[] bytes = body(4, proof48, note8).getBytes(StandardCharsets.UTF_8);
                bytes[bytes.length - 20] = (byte) 0xff;
                yield bytes;
            }
            case "checkpoint text malformed" -> body(4, proof48, dev.agentledger.merkle.note.Notes.sign(
                    ORIGIN + "\n08\n" + Rfc6962.EMPTY_ROOT.toBase64() + "\n",
                    dev.agentledger.merkle.note.Ed25519NoteSigner.create(logKey)));
            default -> throw new IllegalArgumentException(name);
        };
        try (WitnessServer server = witness(fresh)) {
            HttpResponse<String> response = request instanceof byte[] bytes ? post(server, bytes)
                    : post(server, (String) request);
            assertEquals(status, response.statusCode(), response.body());
            if (status == 409) {
                assertEquals("text/x.tlog.size", response.headers().firstValue("Content-Type").orElse(""));
                assertEquals("4\n", response.body());
            }
            if (status == 200) {
                assertTrue(response.body().startsWith("— witness.test/w1 "), response.body());
                assertTrue(response.body().endsWith("\n"));
            }
        }
    }

    @Test
    void cosignatureMakesTheCheckpointConfirmed() throws Exception {
        try (WitnessServer server = witness(false)) {
            HttpResponse<String> response = post(server, body(4, proof(log, 4, 8), log.note(8)));
            LogVerifier verifier = LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witnessKey.verifierKey()), 1);
            VerifiedCheckpoint checkpoint = verifier.verify(log.note(8) + response.body());
            assertEquals(8, checkpoint.size());
        }
    }

    /** The forked log: the witness refuses the second history; the tracker raises a fork with both notes. */
    @Test
    void forkedLogIsRefusedAndCaught() throws Exception {
        try (WitnessServer server = witness(false)) {
            assertEquals(200, post(server, body(4, proof(log, 4, 8), log.note(8))).statusCode());
            assertEquals(409, post(server, body(8, List.of(), fork.note(8))).statusCode());
            assertEquals(422, post(server, body(8, proof(fork, 8, 12), fork.note(12))).statusCode());
            assertEquals(409, post(server, body(4, proof(fork, 4, 12), fork.note(12))).statusCode());
            assertEquals(200, post(server, body(8, proof(log, 8, 12), log.note(12))).statusCode());
        }
        LogVerifier verifier = LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(), 0);
        CheckpointTracker tracker = CheckpointTracker.inMemory(verifier, fork::consistency, WitnessLagPolicy.DEFAULT,
                InstantSource.system());
        tracker.update(log.note(8));
        ForkException e = assertThrows(ForkException.class, () -> tracker.update(fork.note(12)));
        assertEquals(log.note(8), e.trustedNote());
        assertEquals(fork.note(12), e.presentedNote());
        assertTrue(e.proof().isPresent());
        ForkException same = assertThrows(ForkException.class, () -> tracker.update(fork.note(8)));
        assertTrue(same.proof().isEmpty());
        assertEquals(8, tracker.latest().orElseThrow().size());
    }

    private static String lines(List<Hash> proof) {
        StringBuilder out = new StringBuilder();
        proof.forEach(h -> out.append(h.toBase64()).append('\n'));
        return out.toString();
    }

    private static String flipLastSignatureBit(String note) {
        int start = note.lastIndexOf(' ') + 1;
        int end = note.length() - 1;
        byte[] sig = java.util.Base64.getDecoder().decode(note.substring(start, end));
        sig[sig.length - 1] ^= 1;
        return note.substring(0, start) + java.util.Base64.getEncoder().encodeToString(sig) + "\n";
    }

}
