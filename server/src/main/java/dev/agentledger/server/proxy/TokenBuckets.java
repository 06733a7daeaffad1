package dev.agentledger.server.proxy;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per caller (a SPIFFE ID, never an address): each caller has one bucket per
 * {@link Limit}, all starting full; a call takes one token from every bucket, or from none when
 * one of them is empty, and is then told how long to wait. Idle callers' buckets are forgotten
 * once full again, so memory follows the active callers. Thread-safe.
 */
final class TokenBuckets {
    private static final int SWEEP_ABOVE = 10_000;

    /**
     * One bucket per caller: {@code capacity} tokens, refilled at {@code perSecond}.
     *
     * @param name what the limit is called in refusals ("rate limit", "quota")
     */
    record Limit(String name, double capacity, double perSecond) {
        Limit {
            if (!(capacity >= 1) || !(perSecond > 0)) {
                throw new IllegalArgumentException(name + ": capacity must be at least 1 and the rate above 0");
            }
        }
    }

    /**
     * A refusal: the {@code limit} that is exhausted and when to retry.
     *
     * @param limit the exhausted limit's name
     * @param retryAfter how long until a token is back in every bucket
     */
    record Exhausted(String limit, Duration retryAfter) {}

    private final List<Limit> limits;
    private final InstantSource clock;
    /** Per caller: one level per limit, then the time of the last refill (µs since the epoch; exact in a double). */
    private final Map<String, double[]> levels = new ConcurrentHashMap<>();

    TokenBuckets(List<Limit> limits, InstantSource clock) {
        this.limits = List.copyOf(limits);
        this.clock = clock;
    }

    /** Takes one token for {@code caller} from every bucket; empty when allowed, else what is exhausted. */
    Optional<Exhausted> take(String caller) {
        if (limits.isEmpty()) {
            return Optional.empty();
        }
        if (levels.size() > SWEEP_ABOVE) {
            sweep();
        }
        double now = nowMicros();
        List<Optional<Exhausted>> result = new ArrayList<>(1);
        levels.compute(caller, (id, level) -> {
            double[] current = level == null ? full(now) : level;
            refill(current, now);
            result.add(exhausted(current));
            if (result.get(0).isEmpty()) {
                for (int i = 0; i < limits.size(); i++) {
                    current[i] -= 1;
                }
            }
            return current;
        });
        return result.get(0);
    }

    private double nowMicros() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1e6 + now.getNano() / 1_000;
    }

    private double[] full(double now) {
        double[] level = new double[limits.size() + 1];
        for (int i = 0; i < limits.size(); i++) {
            level[i] = limits.get(i).capacity();
        }
        level[limits.size()] = now;
        return level;
    }

    private void refill(double[] level, double now) {
        double seconds = Math.max(0, now - level[limits.size()]) / 1e6;
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            level[i] = Math.min(limit.capacity(), level[i] + seconds * limit.perSecond());
        }
        level[limits.size()] = Math.max(now, level[limits.size()]);
    }

    private Optional<Exhausted> exhausted(double[] level) {
        List<Exhausted> empty = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            if (level[i] < 1) {
                Limit limit = limits.get(i);
                empty.add(new Exhausted(limit.name(), Duration.ofNanos((long) Math.ceil((1 - level[i]) / limit.perSecond() * 1e9))));
            }
        }
        return empty.stream().max((a, b) -> a.retryAfter().compareTo(b.retryAfter()));
    }

    /** Forgets callers whose buckets have refilled completely (they behave as new callers). */
    private void sweep() {
        double now = nowMicros();
        for (String id : levels.keySet()) {
            levels.computeIfPresent(id, (key, level) -> {
                refill(level, now);
                for (int i = 0; i < limits.size(); i++) {
                    if (level[i] < limits.get(i).capacity()) {
                        return level;
                    }
                }
                return null;
            });
        }
    }
}
