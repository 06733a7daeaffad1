package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proof generation and verification against the RFC oracle, for every index and size pair. */
class ProofsTest {
    private static final int EXHAUSTIVE = 140;

    @Test
    void everyInclusionProofUpToExhaustiveSize() throws VerificationException {
        List<Hash> leaves = TreeOracle.leaves(EXHAUSTIVE);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        for (int size = 1; size <= EXHAUSTIVE; size++) {
            List<Hash> tree = leaves.subList(0, size);
            Hash root = TreeOracle.root(tree);
            assertEquals(root, Proofs.root(nodes, size));
            // One prover for the whole tree reuses border hashes; its proofs must equal the oracle's too.
            Proofs prover = Proofs.forTree(nodes, size);
            for (int index = 0; index < size; index++) {
                InclusionProof proof = index % 2 == 0 ? Proofs.inclusion(nodes, index, size) : prover.inclusion(index);
                assertEquals(TreeOracle.path(index, tree), proof.hashes(), "path " + index + " in " + size);
                assertEquals(InclusionProof.expectedLength(index, size), proof.hashes().size());
                proof.verify(leaves.get(index), root);
            }
        }
    }

    @Test
    void everyConsistencyProofUpToExhaustiveSize() throws VerificationException {
        List<Hash> leaves = TreeOracle.leaves(EXHAUSTIVE);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        List<Hash> roots = new ArrayList<>();
        for (int size = 0; size <= EXHAUSTIVE; size++) {
            roots.add(TreeOracle.root(leaves.subList(0, size)));
        }
        for (int size2 = 1; size2 <= EXHAUSTIVE; size2++) {
            Proofs prover = Proofs.forTree(nodes, size2);
            for (int size1 = 1; size1 <= size2; size1++) {
                ConsistencyProof proof = size1 % 2 == 0 ? Proofs.consistency(nodes, size1, size2) : prover.consistencyFrom(size1);
                assertEquals(
                        TreeOracle.consistency(size1, leaves.subList(0, size2)),
                        proof.hashes(),
                        "proof " + size1 + " -> " + size2);
                assertEquals(ConsistencyProof.expectedLength(size1, size2), proof.hashes().size());
                proof.verify(roots.get(size1), roots.get(size2));
            }
        }
    }

    @ParameterizedTest(name = "random tree of {0} leaves")
    @ValueSource(ints = {1000, 2048, 3001, 4097})
    void randomProofsInLargerTrees(int size) throws VerificationException {
        Random random = new Random(size);
        List<Hash> leaves = TreeOracle.leaves(size);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        Hash root = CompactRange.of(leaves).root();
        for (int index = 0; index < size; index++) {
            Proofs.inclusion(nodes, index, size).verify(leaves.get(index), root);
        }
        for (int trial = 0; trial < 300; trial++) {
            int size1 = 1 + random.nextInt(size);
            Hash root1 = CompactRange.of(leaves.subList(0, size1)).root();
            ConsistencyProof proof = Proofs.consistency(nodes, size1, size);
            assertEquals(TreeOracle.consistency(size1, leaves), proof.hashes());
            proof.verify(root1, root);
        }
    }

    @Test
    void everyFlippedBitFailsInclusion() {
        Random random = new Random(1);
        int size = 1234;
        List<Hash> leaves = TreeOracle.leaves(size);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        Hash root = CompactRange.of(leaves).root();
        for (int trial = 0; trial < 40; trial++) {
            int index = random.nextInt(size);
            InclusionProof proof = Proofs.inclusion(nodes, index, size);
            for (int bit = 0; bit < 256; bit++) {
                Hash leaf = leaves.get(index);
                int flip = bit;
                assertThrows(RootMismatchException.class, () -> proof.verify(flipBit(leaf, flip), root));
                assertThrows(RootMismatchException.class, () -> proof.verify(leaf, flipBit(root, flip)));
                for (int i = 0; i < proof.hashes().size(); i++) {
                    List<Hash> hashes = new ArrayList<>(proof.hashes());
                    hashes.set(i, flipBit(hashes.get(i), flip));
                    InclusionProof bad = new InclusionProof(index, size, hashes);
                    assertThrows(RootMismatchException.class, () -> bad.verify(leaf, root));
                }
            }
        }
    }

    @Test
    void everyFlippedBitFailsConsistency() {
        Random random = new Random(2);
        int size2 = 1234;
        List<Hash> leaves = TreeOracle.leaves(size2);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        Hash root2 = CompactRange.of(leaves).root();
        for (int trial = 0; trial < 40; trial++) {
            int size1 = 1 + random.nextInt(size2 - 1);
            Hash root1 = CompactRange.of(leaves.subList(0, size1)).root();
            ConsistencyProof proof = Proofs.consistency(nodes, size1, size2);
            for (int bit = 0; bit < 256; bit += 3) {
                int flip = bit;
                assertThrows(RootMismatchException.class, () -> proof.verify(flipBit(root1, flip), root2));
                assertThrows(RootMismatchException.class, () -> proof.verify(root1, flipBit(root2, flip)));
                for (int i = 0; i < proof.hashes().size(); i++) {
                    List<Hash> hashes = new ArrayList<>(proof.hashes());
                    hashes.set(i, flipBit(hashes.get(i), flip));
                    ConsistencyProof bad = new ConsistencyProof(size1, size2, hashes);
                    assertThrows(RootMismatchException.class, () -> bad.verify(root1, root2));
                }
            }
        }
    }

    @Test
    void malformedInclusionProofsAreRefusedBeforeHashing() {
        List<Hash> leaves = TreeOracle.leaves(10);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        Hash root = CompactRange.of(leaves).root();
        InclusionProof good = Proofs.inclusion(nodes, 3, 10);
        List<Hash> longer = new ArrayList<>(good.hashes());
        longer.add(root);
        List<Hash> shorter = good.hashes().subList(0, good.hashes().size() - 1);
        List<InclusionProof> bad = List.of(
                new InclusionProof(10, 10, good.hashes()),
                new InclusionProof(11, 10, good.hashes()),
                new InclusionProof(0, 0, List.of()),
                new InclusionProof(3, 10, longer),
                new InclusionProof(3, 10, shorter),
                new InclusionProof(3, 10, List.of()));
        for (InclusionProof proof : bad) {
            VerificationException e =
                    assertThrows(VerificationException.class, () -> proof.verify(leaves.get(3), root), proof.toString());
            assertEquals(VerificationException.class, e.getClass(), "a format error, not a mismatch: " + e);
        }
    }

    @Test
    void malformedConsistencyProofsAreRefused() {
        List<Hash> leaves = TreeOracle.leaves(10);
        RecordedNodes nodes = RecordedNodes.of(leaves);
        Hash root4 = CompactRange.of(leaves.subList(0, 4)).root();
        Hash root7 = CompactRange.of(leaves.subList(0, 7)).root();
        Hash root10 = CompactRange.of(leaves).root();
        ConsistencyProof good = Proofs.consistency(nodes, 7, 10);
        List<Hash> longer = new ArrayList<>(good.hashes());
        longer.add(root10);
        assertThrows(VerificationException.class, () -> new ConsistencyProof(10, 7, good.hashes()).verify(root10, root7));
        assertThrows(VerificationException.class, () -> new ConsistencyProof(0, 10, List.of()).verify(Rfc6962.EMPTY_ROOT, root10));
        assertThrows(VerificationException.class, () -> new ConsistencyProof(7, 10, longer).verify(root7, root10));
        assertThrows(VerificationException.class, () -> new ConsistencyProof(7, 10, List.of()).verify(root7, root10));
        assertThrows(VerificationException.class, () -> new ConsistencyProof(7, 7, List.of(root7)).verify(root7, root7));
        assertThrows(RootMismatchException.class, () -> new ConsistencyProof(7, 7, List.of()).verify(root7, root10));
        // A proof for other sizes, presented for these ones.
        ConsistencyProof other = Proofs.consistency(nodes, 4, 10);
        assertThrows(VerificationException.class, () -> new ConsistencyProof(7, 10, other.hashes()).verify(root7, root10));
        assertThrows(VerificationException.class, () -> other.verify(root7, root10));
        assertThrows(VerificationException.class, () -> new ConsistencyProof(4, 10, other.hashes()).verify(root4, root7));
    }

    @Test
    void parseRefusesHashesThatAreNot32Bytes() {
        byte[] good = new byte[32];
        assertThrows(VerificationException.class, () -> InclusionProof.parse(0, 2, List.of(new byte[31])));
        assertThrows(VerificationException.class, () -> InclusionProof.parse(0, 2, List.of(new byte[33])));
        assertThrows(VerificationException.class, () -> InclusionProof.parse(-1, 2, List.of(good)));
        assertThrows(VerificationException.class, () -> ConsistencyProof.parse(1, 2, List.of(good, new byte[0])));
        assertThrows(VerificationException.class, () -> ConsistencyProof.parse(1, -2, List.of()));
    }

    @Test
    void generatorRefusesImpossibleRequests() {
        NodeSource none = (level, index) -> {
            throw new AssertionError("must not read");
        };
        assertThrows(IllegalArgumentException.class, () -> Proofs.inclusion(none, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> Proofs.inclusion(none, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> Proofs.consistency(none, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> Proofs.consistency(none, 6, 5));
        assertThrows(IllegalArgumentException.class, () -> Proofs.root(none, -1));
        assertEquals(Rfc6962.EMPTY_ROOT, Proofs.root(none, 0));
    }

    @Test
    void proofLengthsForAstronomicalTrees() {
        // Index 0 in 2^40: one sibling per level.
        assertEquals(40, InclusionProof.expectedLength(0, 1L << 40));
        // The last leaf of 2^40 + 1 is a lone right child of the root.
        assertEquals(1, InclusionProof.expectedLength(1L << 40, (1L << 40) + 1));
        assertEquals(62, InclusionProof.expectedLength(Long.MAX_VALUE - 1, Long.MAX_VALUE));
        assertEquals(0, ConsistencyProof.expectedLength(1L << 40, 1L << 40));
        assertEquals(1, ConsistencyProof.expectedLength(1L << 40, 1L << 41));
    }

    static Hash flipBit(Hash hash, int bit) {
        byte[] bytes = hash.toByteArray();
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        return Hash.of(bytes);
    }
}
