package dev.agentledger.verifierclient.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsumedTokensTest {
    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final InstantSource clock = now::get;

    @Test
    void aTokenIsAcceptedOnceAlsoAfterReopening() throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            tokens.consume("jti-1", T0.plusSeconds(30));
            ReplayException replay = assertThrows(ReplayException.class, () -> tokens.consume("jti-1", T0.plusSeconds(30)));
            assertEquals("jti-1", replay.tokenId());
            tokens.consume("jti-2", T0.plusSeconds(30));
        }
        try (ConsumedTokens reopened = ConsumedTokens.open(dir, clock)) {
            assertThrows(ReplayException.class, () -> reopened.consume("jti-1", T0.plusSeconds(30)));
            assertThrows(ReplayException.class, () -> reopened.consume("jti-2", T0.plusSeconds(30)));
            assertEquals(2, reopened.size());
        }
    }

    @Test
    void idsAreForgottenOnlyOnceTheirTokenExpired() throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            tokens.consume("jti-1", T0.plusSeconds(30));
            now.set(T0.plusSeconds(29));
            assertThrows(ReplayException.class, () -> tokens.consume("jti-1", T0.plusSeconds(30)));
            now.set(T0.plusSeconds(31));
            assertEquals(0, tokens.size());
        }
        try (ConsumedTokens reopened = ConsumedTokens.open(dir, clock)) {
            assertEquals(0, reopened.size());
            assertEquals("", Files.readString(dir.resolve("consumed-tokens.journal")), "expired records are compacted away");
        }
    }

    @Test
    void compactionKeepsTheLiveRecords() throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            for (int i = 0; i < 4_200; i++) {
                now.set(T0.plusSeconds(i));
                tokens.consume("t" + i, T0.plusSeconds(i + 10));
            }
            assertTrue(Files.size(dir.resolve("consumed-tokens.journal")) < 1_000 * 30, "the journal was never compacted");
        }
        try (ConsumedTokens reopened = ConsumedTokens.open(dir, clock)) {
            for (int i = 4_190; i < 4_200; i++) {
                String id = "t" + i;
                assertThrows(ReplayException.class, () -> reopened.consume(id, T0.plusSeconds(20_000)), id);
            }
        }
    }

    @Test
    void aRecordCutShortByACrashIsDropped() throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            tokens.consume("jti-1", T0.plusSeconds(30));
        }
        Files.writeString(dir.resolve("consumed-tokens.journal"), "1795435230 jti-", StandardOpenOption.APPEND);
        try (ConsumedTokens reopened = ConsumedTokens.open(dir, clock)) {
            assertThrows(ReplayException.class, () -> reopened.consume("jti-1", T0.plusSeconds(30)));
            reopened.consume("jti-2", T0.plusSeconds(30));
        }
        try (ConsumedTokens again = ConsumedTokens.open(dir, clock)) {
            assertThrows(ReplayException.class, () -> again.consume("jti-2", T0.plusSeconds(30)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage\n", "1795435230 jti-9 00000000\n", "1795435230 jti 9 x\n", "x jti-9 00000000\n"})
    void aDamagedJournalRefusesToOpen(String damage) throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            tokens.consume("jti-1", T0.plusSeconds(30));
        }
        Path journal = dir.resolve("consumed-tokens.journal");
        Files.writeString(journal, damage + Files.readString(journal));
        IOException refused = assertThrows(IOException.class, () -> ConsumedTokens.open(dir, clock));
        assertTrue(refused.getMessage().contains("line 1 is damaged"), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "new\nline", "slash/no"})
    void malformedIdsAreRefused(String id) throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            assertThrows(IllegalArgumentException.class, () -> tokens.consume(id, T0.plusSeconds(30)));
            assertThrows(IllegalArgumentException.class, () -> tokens.consume("x".repeat(129), T0.plusSeconds(30)));
            assertEquals(0, tokens.size());
        }
        assertEquals(0, Files.readString(dir.resolve("consumed-tokens.journal"), StandardCharsets.US_ASCII).length());
    }

    @Test
    void expiredTokensAreNotRecorded() throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(dir, clock)) {
            tokens.consume("old", T0.minus(Duration.ofSeconds(1)));
            assertEquals(0, tokens.size());
        }
    }
}
