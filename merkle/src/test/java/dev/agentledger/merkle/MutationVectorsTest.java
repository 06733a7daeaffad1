package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The project's own vectors, so the suite stands alone: the Certificate Transparency reference
 * roots, and for a table of (index, size) and (size1, size2) pairs, a correct proof and the
 * mutations of it a verifier must refuse (the same kinds transparency-dev/merkle publishes).
 */
class MutationVectorsTest {
    /** The CT reference leaves: entries "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 60..6f. */
    private static final List<Hash> CT_LEAVES = Stream.of(
                    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
            .map(hex -> Rfc6962.hashLeaf(HexFormat.of().parseHex(hex)))
            .toList();

    @ParameterizedTest(name = "CT reference root of size {0}")
    @CsvSource({
        "1, 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "2, fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "3, aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "4, d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "5, 4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "6, 76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "7, ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "8, 5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    })
    void certificateTransparencyRoots(int size, String want) {
        assertEquals(want, CompactRange.of(CT_LEAVES.subList(0, size)).root().toHex());
        assertEquals(want, TreeOracle.root(CT_LEAVES.subList(0, size)).toHex());
    }

    // No "size + 1" mutation: an RFC 9162 root does not commit to the tree size, and where the
    // proof's shape is the same for size and size + 1 (100@257 and 100@258, say) the mutated proof
    // still verifies. The size is bound by the signed checkpoint, never by the proof alone.
    private static final Hash GARBAGE = Rfc6962.hashLeaf("garbage".getBytes(StandardCharsets.UTF_8));

    @TestFactory
    Stream<DynamicTest> inclusionMutations() {
        List<DynamicTest> tests = new ArrayList<>();
        long[][] cases = {{0, 1}, {0, 8}, {5, 8}, {2, 3}, {6, 7}, {4, 5}, {12, 13}, {31, 64}, {100, 257}, {255, 256}};
        List<Hash> leaves = TreeOracle.leaves(300);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        for (long[] c : cases) {
            long index = c[0];
            long size = c[1];
            Hash leaf = leaves.get((int) index);
            Hash root = Proofs.root(nodes, size);
            List<Hash> path = Proofs.inclusion(nodes, index, size).hashes();
            String at = index + "@" + size + " ";
            tests.add(DynamicTest.dynamicTest(at + "happy path", () -> new InclusionProof(index, size, path).verify(leaf, root)));
            List<Object[]> bad = new ArrayList<>();
            bad.add(new Object[] {"wrong leaf", index, size, path, GARBAGE, root});
            bad.add(new Object[] {"index + 1", index + 1, size, path, leaf, root});
            bad.add(new Object[] {"index xor 2", index ^ 2, size, path, leaf, root});
            bad.add(new Object[] {"size * 2", index, size * 2, path, leaf, root});
            bad.add(new Object[] {"size / 2", index, size / 2, path, leaf, root});
            bad.add(new Object[] {"empty root", index, size, path, leaf, Rfc6962.EMPTY_ROOT});
            bad.add(new Object[] {"random root", index, size, path, leaf, GARBAGE});
            bad.add(new Object[] {"preceding garbage", index, size, prepend(path, GARBAGE), leaf, root});
            bad.add(new Object[] {"trailing garbage", index, size, append(path, GARBAGE), leaf, root});
            bad.add(new Object[] {"preceding root", index, size, prepend(path, root), leaf, root});
            bad.add(new Object[] {"trailing root", index, size, append(path, root), leaf, root});
            if (index > 0) {
                bad.add(new Object[] {"index - 1", index - 1, size, path, leaf, root});
            }
            if (!path.isEmpty()) {
                bad.add(new Object[] {"removed component", index, size, path.subList(1, path.size()), leaf, root});
                bad.add(new Object[] {"inserted component", index, size, insertMiddle(path), leaf, root});
                bad.add(new Object[] {"swapped components", index, size, swapEnds(path, leaf), leaf, root});
                bad.add(new Object[] {"root as leaf", index, size, path, root, root});
            }
            for (Object[] b : bad) {
                @SuppressWarnings("unchecked")
                InclusionProof proof = new InclusionProof((long) b[1], (long) b[2], (List<Hash>) b[3]);
                tests.add(DynamicTest.dynamicTest(at + b[0], () ->
                        assertThrows(VerificationException.class, () -> proof.verify((Hash) b[4], (Hash) b[5]), at + b[0])));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> consistencyMutations() {
        List<DynamicTest> tests = new ArrayList<>();
        long[][] cases = {{1, 2}, {1, 8}, {2, 5}, {3, 7}, {4, 8}, {4, 9}, {6, 8}, {7, 8}, {5, 13}, {100, 257}, {256, 300}};
        List<Hash> leaves = TreeOracle.leaves(300);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        for (long[] c : cases) {
            long size1 = c[0];
            long size2 = c[1];
            Hash root1 = Proofs.root(nodes, size1);
            Hash root2 = Proofs.root(nodes, size2);
            List<Hash> proof = Proofs.consistency(nodes, size1, size2).hashes();
            String at = size1 + "->" + size2 + " ";
            tests.add(DynamicTest.dynamicTest(at + "happy path", () -> new ConsistencyProof(size1, size2, proof).verify(root1, root2)));
            List<Object[]> bad = new ArrayList<>();
            bad.add(new Object[] {"swapped roots", size1, size2, proof, root2, root1});
            bad.add(new Object[] {"wrong root1", size1, size2, proof, GARBAGE, root2});
            bad.add(new Object[] {"wrong root2", size1, size2, proof, root1, GARBAGE});
            bad.add(new Object[] {"size1 + 1", size1 + 1, size2, proof, root1, root2});
            bad.add(new Object[] {"size1 xor 2", size1 ^ 2, size2, proof, root1, root2});
            bad.add(new Object[] {"size2 * 2", size1, size2 * 2, proof, root1, root2});
            bad.add(new Object[] {"sizes swapped", size2, size1, proof, root1, root2});
            bad.add(new Object[] {"size1 zero", 0L, size2, proof, root1, root2});
            bad.add(new Object[] {"empty proof", size1, size2, List.of(), root1, root2});
            bad.add(new Object[] {"preceding garbage", size1, size2, prepend(proof, GARBAGE), root1, root2});
            bad.add(new Object[] {"trailing garbage", size1, size2, append(proof, GARBAGE), root1, root2});
            bad.add(new Object[] {"preceding root1", size1, size2, prepend(proof, root1), root1, root2});
            bad.add(new Object[] {"trailing root2", size1, size2, append(proof, root2), root1, root2});
            bad.add(new Object[] {"truncated", size1, size2, proof.subList(0, proof.size() - 1), root1, root2});
            if (size1 > 1) {
                bad.add(new Object[] {"size1 - 1", size1 - 1, size2, proof, root1, root2});
            }
            for (int i = 0; i < proof.size(); i++) {
                int at2 = i;
                bad.add(new Object[] {"modified component " + i, size1, size2, replace(proof, i, h -> ProofsTest.flipBit(h, at2)), root1, root2});
            }
            for (Object[] b : bad) {
                @SuppressWarnings("unchecked")
                ConsistencyProof p = new ConsistencyProof((long) b[1], (long) b[2], (List<Hash>) b[3]);
                tests.add(DynamicTest.dynamicTest(at + b[0], () ->
                        assertThrows(VerificationException.class, () -> p.verify((Hash) b[4], (Hash) b[5]), at + b[0])));
            }
        }
        return tests.stream();
    }

    private static List<Hash> prepend(List<Hash> list, Hash h) {
        List<Hash> out = new ArrayList<>();
        out.add(h);
        out.addAll(list);
        return out;
    }

    private static List<Hash> append(List<Hash> list, Hash h) {
        List<Hash> out = new ArrayList<>(list);
        out.add(h);
        return out;
    }

    private static List<Hash> insertMiddle(List<Hash> list) {
        List<Hash> out = new ArrayList<>(list);
        out.add(list.size() / 2, GARBAGE);
        return out;
    }

    private static List<Hash> swapEnds(List<Hash> list, Hash fallback) {
        List<Hash> out = new ArrayList<>(list);
        if (out.size() == 1) {
            out.set(0, fallback);
        } else {
            Hash first = out.getFirst();
            out.set(0, out.getLast());
            out.set(out.size() - 1, first);
        }
        return out;
    }

    private static List<Hash> replace(List<Hash> list, int i, UnaryOperator<Hash> change) {
        List<Hash> out = new ArrayList<>(list);
        out.set(i, change.apply(out.get(i)));
        return out;
    }
}
