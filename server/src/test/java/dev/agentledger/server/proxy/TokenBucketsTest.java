package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Token buckets per SPIFFE ID on a hand-moved clock. */
class TokenBucketsTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    private final InstantSource clock = now::get;

    @Test
    void aBurstThenOneCallPerRefillAndEachCallerHasItsOwnBucket() {
        TokenBuckets buckets = new TokenBuckets(List.of(new TokenBuckets.Limit("rate limit", 3, 2)), clock);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), buckets.take("spiffe://td/agent/a"), "call " + i);
        }
        TokenBuckets.Exhausted exhausted = buckets.take("spiffe://td/agent/a").orElseThrow();
        assertEquals("rate limit", exhausted.limit());
        assertEquals(Duration.ofMillis(500), exhausted.retryAfter(), "one token at 2/s");
        assertEquals(Optional.empty(), buckets.take("spiffe://td/agent/b"), "b has its own bucket");
        now.set(now.get().plusMillis(500));
        assertEquals(Optional.empty(), buckets.take("spiffe://td/agent/a"));
        assertTrue(buckets.take("spiffe://td/agent/a").isPresent());
        now.set(now.get().plusSeconds(3600));
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), buckets.take("spiffe://td/agent/a"), "refilled to the burst, not beyond: " + i);
        }
        assertTrue(buckets.take("spiffe://td/agent/a").isPresent());
    }

    @Test
    void aCallTakesFromEveryBucketOrFromNone() {
        TokenBuckets buckets = new TokenBuckets(List.of(new TokenBuckets.Limit("rate limit", 10, 10),
                new TokenBuckets.Limit("quota", 2, 2.0 / 3600)), clock);
        assertEquals(Optional.empty(), buckets.take("a"));
        assertEquals(Optional.empty(), buckets.take("a"));
        TokenBuckets.Exhausted quota = buckets.take("a").orElseThrow();
        assertEquals("quota", quota.limit());
        assertEquals(Duration.ofSeconds(1800), quota.retryAfter());
        now.set(now.get().plusSeconds(1800));
        assertEquals(Optional.empty(), buckets.take("a"), "the refused call took nothing from the rate limit");
    }

    @Test
    void noLimitsAllowsEverything() {
        TokenBuckets buckets = new TokenBuckets(List.of(), clock);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Optional.empty(), buckets.take("a"));
        }
    }
}
