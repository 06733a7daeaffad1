package dev.agentledger.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What each target covers, with and without cascade, on one delegation tree:
 * <pre>
 * alice: d1 (to a) ─┬─ d2 (to b) ─┬─ d4 (to c) ─┬─ d5 (to d)
 *                   │             │             └─ t2 (token to c)
 *                   │             └─ t1 (token to b)
 *                   ├─ d3 (to e) ─── t3 (token to e)
 *                   └─ t0 (token to a)
 * bob:   e1 (to a) ─── u1 (token to a)
 * SVIDs: serial a1 (agent a, instance ia), serial c1 and JWT jc (agent c, instance ic)
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CascadeTest {
    private static final String A = "spiffe://test.example/agent/a";
    private static final String B = "spiffe://test.example/agent/b";
    private static final String C = "spiffe://test.example/agent/c";
    private static final String D = "spiffe://test.example/agent/d";
    private static final String E = "spiffe://test.example/agent/e";

    private TestLog log;

    @BeforeAll
    void buildTree(@TempDir Path dir) throws Exception {
        log = new TestLog(dir);
        long day = log.until(Duration.ofDays(1));
        log.delegation("d1", "", TestLog.ALICE, A, day);
        log.delegation("d2", "d1", TestLog.ALICE, B, day);
        log.delegation("d3", "d1", TestLog.ALICE, E, day);
        log.delegation("d4", "d2", TestLog.ALICE, C, day);
        log.delegation("d5", "d4", TestLog.ALICE, D, day);
        log.token("t0", "d1", TestLog.ALICE, A, day);
        log.token("t1", "d2", TestLog.ALICE, B, day);
        log.token("t2", "d4", TestLog.ALICE, C, day);
        log.token("t3", "d3", TestLog.ALICE, E, day);
        log.delegation("e1", "", TestLog.BOB, A, day);
        log.token("u1", "e1", TestLog.BOB, A, day);
        log.registration("ia", A, TestLog.ALICE, day);
        log.registration("ic", C, TestLog.ALICE, day);
        log.x509("a1", A, "ia", day);
        log.x509("c1", C, "ic", day);
        log.jwt("jc", C, "ic", day);
    }

    @AfterAll
    void close() {
        log.close();
    }

    /** target, cascade, then the expected SPIFFE IDs, serials, token ids, delegation ids and agent instances. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Target.delegation("d2"), true, Set.of(), Set.of(), Set.of("t1", "t2"), Set.of("d2", "d4", "d5"), Set.of()),
                Arguments.of(Target.delegation("d2"), false, Set.of(), Set.of(), Set.of(), Set.of("d2"), Set.of()),
                Arguments.of(Target.delegation("d4"), true, Set.of(), Set.of(), Set.of("t2"), Set.of("d4", "d5"), Set.of()),
                Arguments.of(Target.delegation("d5"), true, Set.of(), Set.of(), Set.of(), Set.of("d5"), Set.of()),
                Arguments.of(Target.delegation("d3"), true, Set.of(), Set.of(), Set.of("t3"), Set.of("d3"), Set.of()),
                Arguments.of(Target.delegation("d1"), true, Set.of(), Set.of(), Set.of("t0", "t1", "t2", "t3"),
                        Set.of("d1", "d2", "d3", "d4", "d5"), Set.of()),
                Arguments.of(Target.delegation("unknown"), true, Set.of(), Set.of(), Set.of(), Set.of("unknown"), Set.of()),
                Arguments.of(Target.tokenId("d3"), true, Set.of(), Set.of(), Set.of("d3", "t3"), Set.of("d3"), Set.of()),
                Arguments.of(Target.tokenId("t2"), true, Set.of(), Set.of(), Set.of("t2"), Set.of(), Set.of()),
                Arguments.of(Target.serial("00:C1"), false, Set.of(), Set.of("c1"), Set.of(), Set.of(), Set.of()),
                Arguments.of(Target.user("https://idp.example", "alice"), false, Set.of(), Set.of(), Set.of(), Set.of("d1"), Set.of()),
                Arguments.of(Target.user("https://idp.example", "alice"), true, Set.of(), Set.of(), Set.of("t0", "t1", "t2", "t3"),
                        Set.of("d1", "d2", "d3", "d4", "d5"), Set.of()),
                Arguments.of(Target.user("https://idp.example", "bob"), true, Set.of(), Set.of(), Set.of("u1"), Set.of("e1"), Set.of()),
                Arguments.of(Target.spiffeId(B), false, Set.of(B), Set.of(), Set.of("t1"), Set.of("d2"), Set.of()),
                Arguments.of(Target.spiffeId(A), false, Set.of(A), Set.of("a1"), Set.of("t0", "u1"), Set.of("d1", "e1"), Set.of()),
                Arguments.of(Target.spiffeId(A), true, Set.of(A), Set.of("a1"), Set.of("t0", "t1", "t2", "t3", "u1"),
                        Set.of("d1", "d2", "d3", "d4", "d5", "e1"), Set.of()),
                Arguments.of(Target.agentInstance("ic"), false, Set.of(), Set.of("c1"), Set.of("jc"), Set.of(), Set.of("ic")),
                Arguments.of(Target.agentInstance("ic"), true, Set.of(), Set.of("c1"), Set.of("jc", "t2"), Set.of("d4", "d5"),
                        Set.of("ic")));
    }

    @ParameterizedTest(name = "{0} cascade={1}")
    @MethodSource("cases")
    void coversExactlyWhatDerivesFromTheTarget(Target target, boolean cascade, Set<String> spiffeIds, Set<String> serials,
            Set<String> tokenIds, Set<String> delegationIds, Set<String> instances) throws Exception {
        RevocationEvent event = log.revoke(target, cascade);
        AffectedIds affected = event.affected();
        assertEquals(spiffeIds, affected.spiffeIds(), "SPIFFE IDs");
        assertEquals(serials, affected.serials(), "serials");
        assertEquals(tokenIds, affected.tokenIds(), "token ids");
        assertEquals(delegationIds, affected.delegationIds(), "delegation ids");
        assertEquals(instances, affected.agentInstances(), "agent instances");
        assertFalse(affected.truncated());
        TestLog.verifyProof(event);
        assertEquals(event.revoked(), dev.agentledger.proto.LogEntries.parse(event.entry().toByteArray()).getRevoked());
    }
}
