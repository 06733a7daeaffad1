package dev.agentledger.issuer.policy;

import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Decision;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What is new for an identity, flagged at each decision and given to the policy as
 * {@code context.anomalies} (and logged in the {@code PolicyDecision}):
 * <ul>
 *   <li>{@value #FIRST_USE}: the identity was never allowed this (resource, action) pair before;
 *   <li>{@value #RATE_SPIKE}: its requests in the current minute are at least {@value #MIN_BURST} and
 *       more than {@value #RATE_FACTOR} times its average per minute over the previous hour (known
 *       once it has {@value #MIN_HISTORY_MINUTES} minutes of history);
 *   <li>{@value #OFF_HOURS}: the acting user's delegations to this identity were allowed
 *       {@value #MIN_HOUR_SAMPLES} times or more, never in this hour of the day (UTC).
 * </ul>
 * The identity is the agent program ({@code spiffe://<td>/agent/<name>}, every instance of it
 * together, since each spawn gets a new instance ID), else the caller's SPIFFE ID. Only allowed
 * decisions teach pairs and hours, so asking again after a flagged request does not clear the flag;
 * every request counts toward the rate.
 *
 * <p>Memory is bounded: at most {@value #MAX_IDENTITIES} identities and {@value #MAX_PAIRS} pairs
 * per identity are kept (least recently used go first, which can flag a forgotten pair again).
 * The gate rebuilds the history from the decisions it reads when it opens (about the last approval
 * lifetime), not from the whole log. Thread-safe.
 */
final class AnomalySignals {
    /** The flag of a first-ever (resource, action) pair. */
    static final String FIRST_USE = "first_use";
    /** The flag of a request rate far above the identity's own. */
    static final String RATE_SPIKE = "rate_spike";
    /** The flag of a request outside the delegation's usual hours. */
    static final String OFF_HOURS = "off_hours";
    static final int MAX_IDENTITIES = 4096;
    static final int MAX_PAIRS = 512;
    static final int MIN_BURST = 10;
    static final int RATE_FACTOR = 5;
    static final int MIN_HISTORY_MINUTES = 10;
    static final int MIN_HOUR_SAMPLES = 20;
    private static final int WINDOW_MINUTES = 60;

    /** One identity's history. */
    private static final class History {
        final Map<String, Boolean> pairs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > MAX_PAIRS;
            }
        };
        /** Requests per minute over the last hour, indexed by epoch minute modulo the window. */
        final long[] perMinute = new long[WINDOW_MINUTES];
        long latestMinute = Long.MIN_VALUE;
        long firstMinute = Long.MIN_VALUE;
    }

    private final Map<String, History> identities = bounded();
    /** Allowed requests per hour of the day (UTC), by acting user and identity. */
    private final Map<String, long[]> hours = bounded();

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_IDENTITIES;
            }
        };
    }

    /** Counts the request toward the rate and returns its flags, sorted. */
    synchronized Set<String> observe(AuthorizationRequest request, Instant now) {
        String identity = identity(request.getPrincipalSpiffeId());
        History history = identities.computeIfAbsent(identity, id -> new History());
        Set<String> flags = new TreeSet<>();
        if (!history.pairs.containsKey(pair(request))) {
            flags.add(FIRST_USE);
        }
        if (countAndSpike(history, now)) {
            flags.add(RATE_SPIKE);
        }
        long[] byHour = hours.get(hoursKey(request, identity));
        if (byHour != null && total(byHour) >= MIN_HOUR_SAMPLES && byHour[now.atZone(ZoneOffset.UTC).getHour()] == 0) {
            flags.add(OFF_HOURS);
        }
        return flags;
    }

    /** Learns an allowed request: its pair and its hour become usual. */
    synchronized void learn(AuthorizationRequest request, Instant now) {
        String identity = identity(request.getPrincipalSpiffeId());
        identities.computeIfAbsent(identity, id -> new History()).pairs.put(pair(request), Boolean.TRUE);
        hours.computeIfAbsent(hoursKey(request, identity), key -> new long[24])[now.atZone(ZoneOffset.UTC).getHour()]++;
    }

    /** Replays logged decisions, in log order, as if they were made now. */
    void replay(Iterable<PolicyLog.Logged> entries) {
        for (PolicyLog.Logged logged : entries) {
            if (!logged.entry().hasPolicyDecision()) {
                continue;
            }
            Instant time = Instant.ofEpochMilli(logged.entry().getHeader().getTimeUnixMillis());
            var decision = logged.entry().getPolicyDecision();
            observe(decision.getRequest(), time);
            if (decision.getDecision() == Decision.DECISION_ALLOW) {
                learn(decision.getRequest(), time);
            }
        }
    }

    private static boolean countAndSpike(History history, Instant now) {
        long minute = Math.floorDiv(now.getEpochSecond(), 60);
        if (history.firstMinute == Long.MIN_VALUE) {
            history.firstMinute = minute;
        }
        if (minute > history.latestMinute) {
            // Clear the buckets of the minutes that passed without a request (at most the whole window).
            long from = history.latestMinute == Long.MIN_VALUE ? minute - WINDOW_MINUTES + 1
                    : Math.max(history.latestMinute + 1, minute - WINDOW_MINUTES + 1);
            for (long m = from; m <= minute; m++) {
                history.perMinute[(int) Math.floorMod(m, WINDOW_MINUTES)] = 0;
            }
            history.latestMinute = minute;
        } else if (minute < history.latestMinute - WINDOW_MINUTES + 1) {
            return false; // a clock step back beyond the window: nothing to compare with
        }
        long current = ++history.perMinute[(int) Math.floorMod(minute, WINDOW_MINUTES)];
        long past = Math.min(minute - history.firstMinute, WINDOW_MINUTES - 1);
        if (past < MIN_HISTORY_MINUTES || current < MIN_BURST) {
            return false;
        }
        long before = 0;
        for (long m = minute - past; m < minute; m++) {
            before += history.perMinute[(int) Math.floorMod(m, WINDOW_MINUTES)];
        }
        // current > RATE_FACTOR * before / past, in integers.
        return current * past > RATE_FACTOR * before;
    }

    private static long total(long[] counts) {
        long sum = 0;
        for (long count : counts) {
            sum += count;
        }
        return sum;
    }

    /** {@code spiffe://<td>/agent/<name>} for an agent instance, else the ID itself. */
    static String identity(String spiffeId) {
        int path = spiffeId.indexOf('/', "spiffe://".length());
        if (path > 0 && spiffeId.startsWith("/agent/", path)) {
            int instance = spiffeId.indexOf('/', path + "/agent/".length());
            return instance < 0 ? spiffeId : spiffeId.substring(0, instance);
        }
        return spiffeId;
    }

    private static String pair(AuthorizationRequest request) {
        return request.getResource() + "\n" + request.getAction();
    }

    private static String hoursKey(AuthorizationRequest request, String identity) {
        return request.getActingUser().getSubject() + "\n" + identity;
    }
}
