package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The published vectors in {@code shared/testvectors}: the Certificate Transparency reference
 * tree (roots and every proof for sizes 1..8) and transparency-dev/merkle's positive and negative
 * inclusion and consistency cases. Skipped when the directory is absent.
 */
class ReferenceVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /**
     * One deliberate difference from transparency-dev/merkle: it accepts equal sizes with equal
     * "roots" of any length; we refuse a root that is not a 32-byte SHA-256 value, since no tree
     * has one.
     */
    private static final String NOT_A_HASH_CASE = "sizes-are-equal-one-and-proof-is-empty.json";

    @Test
    void certificateTransparencyReferenceTree() throws Exception {
        JsonNode v = JSON.readTree(SharedVectors.directory().resolve("merkle-rfc6962.json").toFile());
        List<Hash> leaves = new ArrayList<>();
        for (int i = 0; i < v.get("leaf_inputs_hex").size(); i++) {
            Hash leaf = Rfc6962.hashLeaf(HEX.parseHex(v.get("leaf_inputs_hex").get(i).asText()));
            assertEquals(Hash.fromHex(v.get("leaf_hashes_hex").get(i).asText()), leaf);
            leaves.add(leaf);
        }
        RecordedNodes nodes = RecordedNodes.of(leaves);
        v.get("roots_by_size_hex").properties().forEach(e -> {
            int size = Integer.parseInt(e.getKey());
            assertEquals(Hash.fromHex(e.getValue().asText()), CompactRange.of(leaves.subList(0, size)).root());
        });
        for (JsonNode c : v.get("inclusion")) {
            long index = c.get("index").asLong();
            long size = c.get("size").asLong();
            InclusionProof proof = Proofs.inclusion(nodes, index, size);
            assertEquals(hexList(c.get("proof")), proof.hashes(), c.toString());
            proof.verify(leaves.get((int) index), root(v, size));
        }
        for (JsonNode c : v.get("consistency")) {
            long size1 = c.get("size1").asLong();
            long size2 = c.get("size2").asLong();
            ConsistencyProof proof = Proofs.consistency(nodes, size1, size2);
            assertEquals(hexList(c.get("proof")), proof.hashes(), c.toString());
            proof.verify(root(v, size1), root(v, size2));
        }
    }

    @TestFactory
    Stream<DynamicTest> transparencyDevInclusion() throws IOException {
        return cases("inclusion").map(file -> DynamicTest.dynamicTest(name(file), () -> {
            JsonNode c = JSON.readTree(file.toFile());
            boolean wantErr = c.get("wantErr").asBoolean();
            try {
                InclusionProof proof = InclusionProof.parse(
                        c.get("leafIdx").asLong(), c.get("treeSize").asLong(), bytesList(c.get("proof")));
                Hash leaf = Hash.parse(base64(c.get("leafHash")));
                Hash root = Hash.parse(base64(c.get("root")));
                proof.verify(leaf, root);
                if (wantErr) {
                    fail("accepted a bad case: " + c.get("desc").asText());
                }
            } catch (VerificationException e) {
                if (!wantErr) {
                    fail("refused a good case: " + c.get("desc").asText(), e);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> transparencyDevConsistency() throws IOException {
        return cases("consistency").map(file -> DynamicTest.dynamicTest(name(file), () -> {
            JsonNode c = JSON.readTree(file.toFile());
            boolean wantErr = c.get("wantErr").asBoolean();
            if (file.getFileName().toString().equals(NOT_A_HASH_CASE)) {
                assertEquals(false, wantErr, "the known difference changed");
                assertNotEquals(32, base64(c.get("root1")).length);
                assertThrows(VerificationException.class, () -> Hash.parse(base64(c.get("root1"))));
                return;
            }
            try {
                ConsistencyProof proof = ConsistencyProof.parse(
                        c.get("size1").asLong(), c.get("size2").asLong(), bytesList(c.get("proof")));
                Hash root1 = Hash.parse(base64(c.get("root1")));
                Hash root2 = Hash.parse(base64(c.get("root2")));
                proof.verify(root1, root2);
                if (wantErr) {
                    fail("accepted a bad case: " + c.get("desc").asText());
                }
            } catch (VerificationException e) {
                if (!wantErr) {
                    fail("refused a good case: " + c.get("desc").asText(), e);
                }
            }
        }));
    }

    @Test
    void allTransparencyDevCasesArePresent() throws IOException {
        assertEquals(196, cases("inclusion").count() + cases("consistency").count());
    }

    private static Stream<Path> cases(String kind) throws IOException {
        Path dir = SharedVectors.directory().resolve("transparency-dev-merkle").resolve(kind);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return files.stream();
    }

    private static String name(Path file) {
        return file.getParent().getFileName() + "/" + file.getFileName();
    }

    private static Hash root(JsonNode v, long size) {
        return Hash.fromHex(v.get("roots_by_size_hex").get(Long.toString(size)).asText());
    }

    private static List<Hash> hexList(JsonNode array) {
        List<Hash> out = new ArrayList<>();
        array.forEach(h -> out.add(Hash.fromHex(h.asText())));
        return out;
    }

    private static List<byte[]> bytesList(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(h -> out.add(base64(h)));
        return out;
    }

    private static byte[] base64(JsonNode node) {
        return node == null || node.isNull() ? new byte[0] : Base64.getDecoder().decode(node.asText());
    }
}
