package dev.agentledger.verifierclient.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.User;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The cache without a network: what it applies, what it refuses, and when it fails closed. */
class RevocationCacheTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final String NO_AFFECTED = "{}";

    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private final InstantSource clock = now::get;
    private final FeedFixture log = new FeedFixture();
    private final RevocationCache cache = RevocationCache.create(log.verifier(),
            new RevocationCacheConfig(URI.create("http://127.0.0.1:1"), Duration.ofSeconds(5), clock, Duration.ZERO));

    private static final CredentialIds TOKEN = CredentialIds.none()
            .withSpiffeId("spiffe://t/agent/b").withTokenId("tok-1").withDelegations(List.of("d-1", "d-2"))
            .withUser("https://idp", "alice");

    @Test
    void failsClosedUntilAHeartbeatAndAfterTheFreshnessBound() throws Exception {
        assertStale(cache.check(TOKEN), "no heartbeat");
        log.append("other".getBytes(StandardCharsets.UTF_8));
        cache.accept("heartbeat", log.heartbeat(0));
        assertInstanceOf(RevocationStatus.NotRevoked.class, cache.check(TOKEN));
        now.set(NOW.plusMillis(5000));
        assertInstanceOf(RevocationStatus.NotRevoked.class, cache.check(TOKEN));
        now.set(NOW.plusMillis(5001));
        assertStale(cache.check(TOKEN), "for 5001 ms, more than the freshness bound of 5000 ms");
        CredentialRevokedException refused = assertThrows(CredentialRevokedException.class, () -> cache.requireNotRevoked(TOKEN));
        assertTrue(refused.getMessage().startsWith("revocation status unknown, refusing:"), refused.getMessage());
        cache.accept("heartbeat", log.heartbeat(0));
        cache.requireNotRevoked(TOKEN);
    }

    @Test
    void aRevokedDelegationInTheChainRefusesTheToken() throws Exception {
        long index = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_AGENT_COMPROMISE,
                NOW.toEpochMilli()).setDelegationId("d-1").setCascade(true).setReasonDetail("stolen"));
        cache.accept("revocation", log.event(1, index, "{\"delegation_ids\":[\"d-1\",\"d-3\"],\"token_ids\":[\"tok-9\"]}"));
        cache.accept("heartbeat", log.heartbeat(1));
        RevocationStatus.Revoked revoked = assertInstanceOf(RevocationStatus.Revoked.class, cache.check(TOKEN));
        assertEquals(new RevocationStatus.Revoked("delegation_id d-1", 1, "REVOCATION_REASON_AGENT_COMPROMISE", "stolen", NOW),
                revoked);
        assertInstanceOf(RevocationStatus.Revoked.class, cache.check(CredentialIds.none().withTokenId("tok-9")));
        assertInstanceOf(RevocationStatus.Revoked.class, cache.check(CredentialIds.none().withDelegations(List.of("d-3"))));
        assertInstanceOf(RevocationStatus.NotRevoked.class, cache.check(CredentialIds.none().withDelegations(List.of("d-2"))));
        assertEquals(1, cache.lastSequence());
    }

    static Stream<Arguments> targets() {
        return Stream.<Arguments>of(
                Arguments.of("spiffe_id", (Consumer<dev.agentledger.proto.v1.Revoked.Builder>) r -> r.setSpiffeId("spiffe://t/agent/b")),
                Arguments.of("serial", (Consumer<dev.agentledger.proto.v1.Revoked.Builder>) r -> r.setSerial(ByteString.copyFrom(new byte[] {0, (byte) 0xAB}))),
                Arguments.of("token_id", (Consumer<dev.agentledger.proto.v1.Revoked.Builder>) r -> r.setTokenId("tok-1")),
                Arguments.of("agent_instance", (Consumer<dev.agentledger.proto.v1.Revoked.Builder>) r -> r.setAgentInstance("inst-1")),
                Arguments.of("user", (Consumer<dev.agentledger.proto.v1.Revoked.Builder>) r -> r.setUser(
                        User.newBuilder().setIssuer("https://idp").setSubject("alice"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyTargetKindIsMatched(String kind, Consumer<dev.agentledger.proto.v1.Revoked.Builder> target) throws Exception {
        var revoked = FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, NOW.toEpochMilli());
        target.accept(revoked);
        cache.accept("revocation", log.event(1, log.appendRevoked(revoked), NO_AFFECTED));
        CredentialIds presented = TOKEN.withSerial("00:ab").withAgentInstance("inst-1");
        RevocationStatus.Revoked hit = assertInstanceOf(RevocationStatus.Revoked.class, cache.check(presented));
        assertTrue(hit.id().startsWith(kind + " "), hit.id());
    }

    @Test
    void aRevocationEffectiveLaterDoesNotApplyYet() throws Exception {
        long index = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_TASK_COMPLETED,
                NOW.plusSeconds(60).toEpochMilli()).setTokenId("tok-1"));
        cache.accept("revocation", log.event(1, index, NO_AFFECTED));
        cache.accept("heartbeat", log.heartbeat(1));
        assertInstanceOf(RevocationStatus.NotRevoked.class, cache.check(TOKEN));
        now.set(NOW.plusSeconds(60));
        cache.accept("heartbeat", log.heartbeat(1));
        assertInstanceOf(RevocationStatus.Revoked.class, cache.check(TOKEN));
    }

    /** Each forgery or disorder is refused and applies nothing. */
    @Test
    void forgedOrDisorderedMessagesAreRefusedAndApplyNothing() throws Exception {
        long index = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-1"));
        byte[] other = dev.agentledger.proto.v1.LogEntry.newBuilder()
                .setHeader(dev.agentledger.proto.v1.Header.newBuilder().setSchemaVersion(1))
                .setRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-2"))
                .build().toByteArray();
        FeedFixture impostor = new FeedFixture();
        impostor.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-1"));
        long notRevoked = log.append(dev.agentledger.proto.v1.LogEntry.newBuilder()
                .setHeader(dev.agentledger.proto.v1.Header.newBuilder().setSchemaVersion(1))
                .setTokenConsumed(dev.agentledger.proto.v1.TokenConsumed.newBuilder().setTokenId("tok-1")).build().toByteArray());
        List<String[]> refused = List.of(
                new String[] {"revocation", log.event(1, index, other, NO_AFFECTED), "not proven"},
                new String[] {"revocation", impostor.event(1, 0, NO_AFFECTED), "checkpoint does not verify"},
                new String[] {"revocation", log.event(2, index, NO_AFFECTED), "follows 0"},
                new String[] {"revocation", log.event(1, notRevoked, NO_AFFECTED), "token_consumed"},
                new String[] {"revocation", "{\"sequence\":\"x\"}", "sequence is \"x\""},
                new String[] {"revocation", "{not json", "malformed JSON"},
                new String[] {"heartbeat", log.heartbeat(3), "events are missing"},
                new String[] {"heartbeat", impostor.heartbeat(0), "checkpoint does not verify"});
        for (String[] message : refused) {
            RevocationFeedException e = assertThrows(RevocationFeedException.class, () -> cache.accept(message[0], message[1]),
                    message[2]);
            assertTrue(e.getMessage().contains(message[2]), e.getMessage() + " should say " + message[2]);
        }
        assertEquals(0, cache.lastSequence());
        assertEquals(0, cache.revokedIds());
        assertStale(cache.check(TOKEN), "no heartbeat");
    }

    /**
     * A checkpoint whose signature verified is remembered by its exact bytes, so later messages
     * carrying it skip the signature check; an event it does not prove, and the same checkpoint
     * text with another signature, are still refused.
     */
    @Test
    void aRememberedCheckpointStillRefusesWhatItDoesNotProveAndAnotherSignature() throws Exception {
        long index = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-1"));
        cache.accept("heartbeat", log.heartbeat(0));
        byte[] other = dev.agentledger.proto.v1.LogEntry.newBuilder()
                .setHeader(dev.agentledger.proto.v1.Header.newBuilder().setSchemaVersion(1))
                .setRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-2"))
                .build().toByteArray();
        RevocationFeedException notProven = assertThrows(RevocationFeedException.class,
                () -> cache.accept("revocation", log.event(1, index, other, NO_AFFECTED)));
        assertTrue(notProven.getMessage().contains("not proven"), notProven.getMessage());
        String note = log.note();
        // The note ends "<base64 of key id and signature>=\n": change one signature character.
        int at = note.length() - 4;
        String forged = note.substring(0, at) + (note.charAt(at) == 'A' ? 'B' : 'A') + note.substring(at + 1);
        String heartbeat = "{\"sequence\":\"0\",\"checkpoint\":\"" + FeedFixture.base64(forged) + "\",\"time_unix_millis\":\"1\"}";
        RevocationFeedException badSignature = assertThrows(RevocationFeedException.class, () -> cache.accept("heartbeat", heartbeat));
        assertTrue(badSignature.getMessage().contains("checkpoint does not verify"), badSignature.getMessage());
        assertEquals(0, cache.revokedIds());
        cache.accept("revocation", log.event(1, index, NO_AFFECTED));
        assertEquals(1, cache.lastSequence());
    }

    @Test
    void aHeartbeatWithAnOlderCheckpointIsRefused() throws Exception {
        log.append(new byte[] {1});
        String older = log.heartbeat(0);
        log.append(new byte[] {2});
        cache.accept("heartbeat", log.heartbeat(0));
        RevocationFeedException e = assertThrows(RevocationFeedException.class, () -> cache.accept("heartbeat", older));
        assertTrue(e.getMessage().contains("older"), e.getMessage());
    }

    @Test
    void aSnapshotLoadsItsRevocationsAndTheSequenceToFollowFrom() throws Exception {
        long first = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-1"));
        long second = log.appendRevoked(FeedFixture.revoked(RevocationReason.REVOCATION_REASON_WITHDRAWN, 1).setTokenId("tok-7"));
        String snapshot = "{\"sequence\":\"9\",\"checkpoint\":\"" + FeedFixture.base64(log.note()) + "\",\"revocations\":["
                + log.event(4, first, NO_AFFECTED) + "," + log.event(9, second, NO_AFFECTED) + "]}";
        cache.load(snapshot);
        assertEquals(9, cache.lastSequence());
        cache.accept("heartbeat", log.heartbeat(9));
        assertInstanceOf(RevocationStatus.Revoked.class, cache.check(TOKEN));
        assertInstanceOf(RevocationStatus.Revoked.class, cache.check(CredentialIds.none().withTokenId("tok-7")));
        cache.accept("revocation", log.event(9, second, NO_AFFECTED)); // already had it: ignored
        assertEquals(9, cache.lastSequence());
    }

    @Test
    void sseLinesEndWithLfCrlfOrCr() throws Exception {
        InputStream in = new java.io.BufferedInputStream(new ByteArrayInputStream("a\nb\r\nc\rd".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a", RevocationCache.readLine(in));
        assertEquals("b", RevocationCache.readLine(in));
        assertEquals("c", RevocationCache.readLine(in));
        assertEquals("d", RevocationCache.readLine(in));
        assertNull(RevocationCache.readLine(in));
    }

    private static void assertStale(RevocationStatus status, String says) {
        RevocationStatus.Stale stale = assertInstanceOf(RevocationStatus.Stale.class, status);
        assertTrue(stale.reason().contains(says), stale.reason() + " should say " + says);
    }
}
