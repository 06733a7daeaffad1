package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.TileNodeSource;
import dev.agentledger.merkle.tiles.Tiling;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.server.client.VerifiedInclusion;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that knows only the public listener (discovery, /checkpoint and tiles) rebuilds the
 * tree and gets the signed root, for sizes that end on, just past and well inside tile borders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TileApiTest {
    /** Sizes reached in order; each is one signed checkpoint (appends of a stage are joined). */
    private static final long[] SIZES = {5, 6, 255, 256, 257, 511, 513, 700};

    private RunningServer server;
    private NoteVerifier logKey;
    private final List<String> checkpoints = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        server = RunningServer.start(dir);
        JsonObject discovery = JsonParser.create(server.getText("/.well-known/agentledger")).readJsonObject();
        logKey = Ed25519NoteVerifier.create(VerifierKey.parse(discovery.stringValue("log_vkey").orElseThrow()));
        assertEquals(server.prepared.settings().origin(), discovery.stringValue("origin").orElseThrow());
        long size = server.treeSize(); // the issuer's key publications; entry i then names agent/i
        assertTrue(size < SIZES[0], "the fresh log holds " + size + " entries, more than the first stage's size");
        for (long target : SIZES) {
            List<CompletableFuture<?>> stage = new ArrayList<>();
            for (; size < target; size++) {
                byte[] entry = LogEntries.serialize(RunningServer.revocation("spiffe://agentledger.local/agent/" + size, "r" + size));
                stage.add(server.server.ledger().append(entry, false));
            }
            CompletableFuture.allOf(stage.toArray(CompletableFuture[]::new)).join();
            checkpoints.add(server.getText("/checkpoint"));
        }
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tilesAloneGiveEachCheckpointsRoot() throws Exception {
        for (int i = 0; i < SIZES.length; i++) {
            Checkpoint checkpoint = VerifiedInclusion.openCheckpoint(checkpoints.get(i).getBytes(), logKey);
            assertEquals(SIZES[i], checkpoint.size());
            NodeSource tiles = new TileNodeSource(checkpoint.size(), this::readTile);
            assertEquals(checkpoint.root(), Proofs.root(tiles, checkpoint.size()), "size " + checkpoint.size());
        }
    }

    @Test
    void proofsFromTilesVerifyAgainstTheLatestCheckpoint() throws Exception {
        Checkpoint latest = VerifiedInclusion.openCheckpoint(server.get("/checkpoint").body(), logKey);
        NodeSource tiles = new TileNodeSource(latest.size(), this::readTile);
        for (long index : new long[] {0, 1, 255, 256, 512, latest.size() - 1}) {
            Hash leaf = Rfc6962.hashLeaf(server.server.ledger().entry(index).orElseThrow());
            Proofs.inclusion(tiles, index, latest.size()).verify(leaf, latest.root());
        }
    }

    @Test
    void entryBundlesHashToLevelZeroTiles() throws Exception {
        long size = SIZES[SIZES.length - 1];
        for (long n = 0; n < Tiling.tileCount(0, size); n++) {
            Tile tile = Tiling.tile(0, n, size).orElseThrow();
            EntryBundle bundle = EntryBundle.parse(fetch(tile.entriesPath()), tile.width());
            ByteArrayOutputStream hashes = new ByteArrayOutputStream();
            for (Hash h : bundle.leafHashes()) {
                hashes.writeBytes(h.toByteArray());
            }
            assertArrayEquals(readTile(tile), hashes.toByteArray(), tile.entriesPath());
        }
    }

    @Test
    void cacheHeadersAndContentTypes() throws Exception {
        HttpResponse<byte[]> checkpoint = server.get("/checkpoint");
        assertEquals("no-store", checkpoint.headers().firstValue("cache-control").orElseThrow());
        assertEquals("text/plain; charset=utf-8", checkpoint.headers().firstValue("content-type").orElseThrow());
        for (String path : List.of("/tile/0/000", "/tile/entries/000", "/tile/1/000.p/2")) {
            HttpResponse<byte[]> r = server.get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals("application/octet-stream", r.headers().firstValue("content-type").orElseThrow());
            String cache = r.headers().firstValue("cache-control").orElseThrow();
            if (path.contains(".p/")) {
                assertTrue(cache.contains("max-age=10") && !cache.contains("immutable"), path + ": " + cache);
            } else {
                assertEquals("public, max-age=31536000, immutable", cache, path);
            }
        }
        // the partial tile of the latest size, and a narrower one that is also there already
        assertEquals(200, server.get("/tile/0/002.p/188").statusCode());
        assertEquals(200, server.get("/tile/0/002.p/5").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tile/0/003", "/tile/0/002", "/tile/0/002.p/189", "/tile/1/000", "/tile/1/000.p/3",
        "/tile/2/000.p/1", "/tile/entries/002", "/tile/entries/003.p/1", "/tile/0/x001/000"})
    void tilesNotThereYetAre404(String path) throws Exception {
        assertEquals(404, server.get(path).statusCode(), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tile", "/tile/", "/tile/0", "/tile/0/", "/tile/0/1", "/tile/0/0001", "/tile/0/x000/001",
        "/tile/00/000", "/tile/8/000", "/tile/-1/000", "/tile/a/000", "/tile/0/000.p/0", "/tile/0/000.p/256",
        "/tile/0/000.p/abc", "/tile/0/000.p", "/tile/0/000.p/", "/tile/0/000.p/01", "/tile/0/000/extra",
        "/tile/0/99999999999999999999999", "/tile/0/x999/x999/x999/x999/x999/x999/x999/000", "/tile/entries/",
        "/tile/entries/1/000", "/tile/entries/000.p/", "/tile/entries/abc", "/tile/0/000%2Ep%2F1", "/tile/0/..%2F000",
        "/tile/0/%00", "/tile/entries/x/000", "/checkpoint/x", "/api/v1/entries/abc", "/api/v1/entries/-1",
        "/api/v1/entries/99999999999999999999", "/api/v1/entries/100000", "/api/v1/entries/1?size=1",
        "/api/v1/entries/1?size=x", "/api/v1/proof/inclusion", "/api/v1/proof/inclusion?index=5&size=2",
        "/api/v1/proof/inclusion?index=0&size=100000", "/api/v1/proof/consistency", "/api/v1/proof/consistency?size1=0",
        "/api/v1/proof/consistency?size1=5&size2=3", "/api/v1/proof/consistency?size1=1&size2=100000",
        "/api/v1/lookup", "/api/v1/lookup?spiffe_id=", "/api/v1/lookup?spiffe_id=a&token_id=b",
        "/api/v1/lookup?serial=01&limit=0", "/api/v1/lookup?token_id=a&limit=100000", "/api/v1/lookup?token_id=a&from=-1",
        "/api/v1", "/nothing"})
    void malformedOrMissingPathsAre400Or404NeverServerErrors(String path) throws Exception {
        int status = server.get(path).statusCode();
        assertTrue(status == 400 || status == 404, path + " answered " + status);
    }

    @Test
    void jsonApiAnswersVerify() throws Exception {
        JsonObject entry = JsonParser.create(server.getText("/api/v1/entries/300")).readJsonObject();
        assertEquals(300, entry.longValue("index", -1));
        assertEquals("spiffe://agentledger.local/agent/300",
                entry.objectValue("entry").orElseThrow().objectValue("revoked").orElseThrow().stringValue("spiffe_id").orElseThrow());
        JsonObject lookup = JsonParser.create(server.getText("/api/v1/lookup?spiffe_id=spiffe://agentledger.local/agent/300"))
                .readJsonObject();
        assertEquals("[300]", lookup.arrayValue("indexes").orElseThrow().toString());
        JsonObject consistency = JsonParser.create(server.getText("/api/v1/proof/consistency?size1=256&size2=513")).readJsonObject();
        assertEquals(513, consistency.longValue("size2", -1));
        assertTrue(consistency.arrayValue("hashes").orElseThrow().size() > 0);
    }

    private byte[] readTile(Tile tile) {
        try {
            return fetch(tile.path());
        } catch (IOException | InterruptedException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    private byte[] fetch(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = server.get("/" + path);
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }
}
