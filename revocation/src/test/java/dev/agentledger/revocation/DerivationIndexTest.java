package dev.agentledger.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.LogEntry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Expiry: expired credentials leave the index, in order of their end, also across many thousand
 * credentials replaced and pruned in turn; a live child of an expired parent stays reachable.
 */
class DerivationIndexTest {
    private static final int BUDGET = 32 * 1024;

    private static LogEntry delegation(String id, String parent, long notAfter) {
        return LogEntry.newBuilder().setHeader(TestLog.header()).setDelegationGranted(DelegationGranted.newBuilder()
                .setDelegationId(id).setParentDelegationId(parent).setActingUser(TestLog.ALICE)
                .setValidity(TestLog.validity(notAfter))).build();
    }

    private static LogEntry token(String id, String delegation, long notAfter) {
        return LogEntry.newBuilder().setHeader(TestLog.header()).setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder()
                .setTokenId(id).setDelegationId(delegation).setValidity(TestLog.validity(notAfter))).build();
    }

    @Test
    void expiredCredentialsLeaveButLiveChildrenOfExpiredParentsStay() {
        DerivationIndex index = new DerivationIndex();
        index.add(delegation("p", "", 100));
        index.add(delegation("c", "p", 300));
        index.add(token("t-old", "c", 150));
        index.add(token("t-new", "c", 300));
        assertEquals(4, index.size());
        index.prune(200);
        assertEquals(2, index.size());
        DerivationIndex.Expansion expansion = index.expand(Target.delegation("p"), true, BUDGET);
        assertEquals(Set.of("p", "c"), expansion.ids().delegationIds());
        assertEquals(Set.of("t-new"), expansion.ids().tokenIds());
        assertEquals(300, expansion.latestNotAfter());
        assertEquals(Set.of(), index.expand(Target.user("https://idp.example", "alice"), true, BUDGET).ids().delegationIds(),
                "the user's root delegation expired, so nothing is reached from the user");
    }

    @Test
    void aNewCredentialNamesEveryTargetThatCoversIt() {
        DerivationIndex index = new DerivationIndex();
        index.add(delegation("root", "", 1000));
        index.add(delegation("mid", "root", 1000));
        DerivationIndex.Added added = index.add(token("tok", "mid", 900));
        assertEquals(900, added.notAfter());
        assertTrue(added.coveredBy().containsAll(List.of(Target.tokenId("tok"), Target.delegation("mid"),
                Target.delegation("root"))), added.coveredBy().toString());
    }

    @Test
    void theExpansionStopsAtTheBudgetAndSaysSo() {
        DerivationIndex index = new DerivationIndex();
        index.add(delegation("d", "", 1000));
        for (int i = 0; i < 100; i++) {
            index.add(token("token-" + i, "d", 1000));
        }
        AffectedIds ids = index.expand(Target.delegation("d"), true, 200).ids();
        assertTrue(ids.truncated());
        assertTrue(ids.delegationIds().contains("d"));
        assertTrue(ids.tokenIds().size() < 100 && !ids.tokenIds().isEmpty(), ids.tokenIds().toString());
    }

    @Test
    void thousandsOfCredentialsReplacedAndPrunedLeaveExactlyWhenTheirLatestEntryEnds() {
        Random random = new Random(7);
        DerivationIndex index = new DerivationIndex();
        Map<String, Long> live = new HashMap<>(); // the oracle: token id -> end of its latest entry
        Map<String, String> parents = new HashMap<>(); // token id -> delegation of its latest entry
        long now = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 1_000; i++) {
                String id = "t" + random.nextInt(6_000); // a third of the ids come again: the later entry replaces
                long notAfter = now + 1 + random.nextInt(2_000);
                String parent = "d" + random.nextInt(50);
                index.add(token(id, parent, notAfter));
                live.put(id, notAfter);
                parents.put(id, parent);
            }
            now += 250;
            long cut = now;
            index.prune(cut);
            live.values().removeIf(notAfter -> notAfter < cut);
            assertEquals(live.size(), index.size(), "round " + round);
            for (int probe = 0; probe < 200; probe++) {
                String id = "t" + random.nextInt(6_000);
                long expected = live.getOrDefault(id, Long.MIN_VALUE);
                assertEquals(expected, index.expand(Target.tokenId(id), false, BUDGET).latestNotAfter(), id + " in round " + round);
            }
            String delegation = "d" + random.nextInt(50);
            Set<String> under = new HashSet<>();
            live.keySet().stream().filter(id -> parents.get(id).equals(delegation)).forEach(under::add);
            assertEquals(under, index.expand(Target.delegation(delegation), true, 1 << 20).ids().tokenIds(), "round " + round);
        }
        index.prune(Long.MAX_VALUE);
        assertEquals(0, index.size());
        assertEquals(Set.of(), index.expand(Target.delegation("d1"), true, BUDGET).ids().tokenIds());
    }
}
