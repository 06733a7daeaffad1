package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch's proofs come from the nodes it completed and the old tree's right border alone: the
 * batches here are integrated over an empty store (nothing is ever committed), so any node read
 * from it fails with "missing node", and every proof must still verify against the new root.
 */
class IntegratorTest {
    @TempDir
    Path dir;

    @Test
    void everyLeafOfABatchIsProvedWithoutReadingTheStore() throws Exception {
        int[] batches = {1, 1, 2, 3, 1, 5, 8, 13, 1, 7, 64, 3, 31, 33, 1, 128, 2, 255, 9};
        try (Store empty = Store.open(dir)) {
            CompactRange range = CompactRange.empty();
            long next = 0;
            for (int size : batches) {
                List<Hash> leaves = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    leaves.add(Rfc6962.hashLeaf(("leaf " + (next + i)).getBytes(StandardCharsets.UTF_8)));
                }
                try (Store.Batch write = empty.newBatch()) {
                    Integrator.Integrated integrated = Integrator.integrate(range, leaves, write, empty);
                    assertEquals(CompactRange.of(concat(range, leaves, next)).root(), integrated.range().root());
                    Proofs prover = Proofs.forTree(integrated.nodes(), integrated.range().size());
                    for (int i = 0; i < size; i++) {
                        prover.inclusion(next + i).verify(leaves.get(i), integrated.range().root());
                    }
                    range = integrated.range();
                }
                next += size;
            }
        }
    }

    /** Every leaf hash from 0 to the end of this batch, recomputed. */
    private static List<Hash> concat(CompactRange before, List<Hash> batch, long next) {
        List<Hash> all = new ArrayList<>();
        for (long i = 0; i < next; i++) {
            all.add(Rfc6962.hashLeaf(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(before.root(), CompactRange.of(all).root());
        all.addAll(batch);
        return all;
    }
}
