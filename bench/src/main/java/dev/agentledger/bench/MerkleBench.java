package dev.agentledger.bench;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.NodeVisitor;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Merkle hashing and proof verification beside the raw SHA-256 cost of the same bytes, measured
 * in the same run. Proofs come from a synthetic tree of identical leaves, so trees of 2^40 leaves
 * cost nothing to set up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class MerkleBench {
    private byte[] entry;
    private byte[] leafInput;
    private byte[] nodeInput;
    private MessageDigest raw;
    private Hash left;
    private Hash right;
    private Hash leaf;
    private InclusionProof inclusion;
    private Hash inclusionRoot;
    private ConsistencyProof consistency;
    private Hash root1;
    private Hash root2;
    private List<Hash> batch;
    private CompactRange range;

    /** log2 of the tree size the proofs are for. */
    @Param({"20", "40"})
    public int logSize;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        Random random = new Random(42);
        entry = new byte[256];
        random.nextBytes(entry);
        leafInput = new byte[257];
        System.arraycopy(entry, 0, leafInput, 1, 256);
        nodeInput = new byte[65];
        random.nextBytes(nodeInput);
        nodeInput[0] = 1;
        raw = MessageDigest.getInstance("SHA-256");
        left = randomHash(random);
        right = randomHash(random);
        leaf = randomHash(random);

        NodeSource tree = SyntheticTree.of(entry);
        long size = 1L << logSize;
        // An index in the middle of the tree with a full-length path.
        long index = size / 2 + 12345;
        leaf = tree.hash(0, index);
        inclusion = Proofs.inclusion(tree, index, size);
        inclusionRoot = Proofs.root(tree, size);

        // A consistency proof between two sizes that are not powers of two, the longest kind.
        long size1 = size / 2 + 12345;
        long size2 = size - 1;
        consistency = Proofs.consistency(tree, size1, size2);
        root1 = Proofs.root(tree, size1);
        root2 = Proofs.root(tree, size2);
        batch = randomHashes(random, 256);
        range = CompactRange.of((1L << logSize) - 1, randomHashes(random, logSize));
    }

    @Benchmark
    public byte[] rawSha256Node() {
        return raw.digest(nodeInput);
    }

    @Benchmark
    public byte[] rawSha256Leaf256() {
        return raw.digest(leafInput);
    }

    @Benchmark
    public Hash hashChildren() {
        return Rfc6962.hashChildren(left, right);
    }

    @Benchmark
    public Hash hashLeaf256() {
        return Rfc6962.hashLeaf(entry);
    }

    @Benchmark
    public Hash verifyInclusion() throws VerificationException {
        inclusion.verify(leaf, inclusionRoot);
        return inclusionRoot;
    }

    @Benchmark
    public Hash verifyConsistency() throws VerificationException {
        consistency.verify(root1, root2);
        return root2;
    }

    /** Appends a batch of 256 leaves to a range of 2^logSize - 1 leaves (the ledger's integrate step). */
    @Benchmark
    public CompactRange appendBatch256() {
        return range.append(batch, NodeVisitor.NONE);
    }

    private static Hash randomHash(Random random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Hash.of(bytes);
    }

    private static List<Hash> randomHashes(Random random, int n) {
        List<Hash> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(randomHash(random));
        }
        return out;
    }
}
