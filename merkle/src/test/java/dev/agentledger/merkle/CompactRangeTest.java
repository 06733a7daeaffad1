package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactRangeTest {
    private static final int MAX = 300;

    @Test
    void rootMatchesOracleForEverySize() {
        List<Hash> leaves = TreeOracle.leaves(MAX);
        CompactRange range = CompactRange.empty();
        assertEquals(Rfc6962.EMPTY_ROOT, range.root());
        for (int n = 1; n <= MAX; n++) {
            range = range.append(leaves.get(n - 1), NodeVisitor.NONE);
            assertEquals(n, range.size());
            assertEquals(Long.bitCount(n), range.hashes().size(), "border of " + n);
            assertEquals(TreeOracle.root(leaves.subList(0, n)), range.root(), "root of " + n);
        }
    }

    @Test
    void batchesOfAnyShapeGiveTheSameRange() {
        Random random = new Random(7);
        List<Hash> leaves = TreeOracle.leaves(1000);
        CompactRange whole = CompactRange.of(leaves);
        for (int trial = 0; trial < 20; trial++) {
            CompactRange range = CompactRange.empty();
            int at = 0;
            while (at < leaves.size()) {
                int take = Math.min(leaves.size() - at, 1 + random.nextInt(300));
                range = range.append(leaves.subList(at, at + take), NodeVisitor.NONE);
                at += take;
            }
            assertEquals(whole.root(), range.root());
            assertEquals(whole.hashes(), range.hashes());
        }
    }

    @Test
    void visitorSeesEveryCompleteNodeOnceWithTheOracleHash() {
        int n = 777;
        List<Hash> leaves = TreeOracle.leaves(n);
        RecordedNodes recorded = RecordedNodes.of(leaves);
        int want = 0;
        for (int level = 0; (1L << level) <= n; level++) {
            long count = n >>> level;
            want += (int) count;
            for (long index = 0; index < count; index++) {
                int from = (int) (index << level);
                assertEquals(
                        TreeOracle.root(leaves.subList(from, from + (1 << level))),
                        recorded.hash(level, index),
                        "node " + level + "/" + index);
            }
        }
        assertEquals(want, recorded.count(), "no node beyond the complete ones");
    }

    @Test
    void appendLeavesTheOriginalUntouched() {
        CompactRange before = CompactRange.of(TreeOracle.leaves(5));
        Hash root = before.root();
        before.append(TreeOracle.leaves(3), NodeVisitor.NONE);
        assertEquals(5, before.size());
        assertEquals(root, before.root());
    }

    @Test
    void restoresFromSizeAndBorder() {
        CompactRange range = CompactRange.of(TreeOracle.leaves(13));
        CompactRange restored = CompactRange.of(13, range.hashes());
        List<Hash> more = TreeOracle.leaves(20).subList(13, 20);
        assertEquals(range.append(more, NodeVisitor.NONE).root(), restored.append(more, NodeVisitor.NONE).root());
        assertEquals(TreeOracle.root(TreeOracle.leaves(20)), restored.append(more, NodeVisitor.NONE).root());
    }

    @Test
    void refusesABorderOfTheWrongLength() {
        List<Hash> three = TreeOracle.leaves(3);
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(4, three));
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(-1, List.of()));
    }
}
