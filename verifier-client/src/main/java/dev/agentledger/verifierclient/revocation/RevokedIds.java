package dev.agentledger.verifierclient.revocation;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revoked ids a cache has verified, by lookup key ({@code kind:value}; token and delegation ids
 * share one kind, since a delegation id is its token's {@code jti}). Thread-safe.
 */
final class RevokedIds {
    /** The revocation that names an id. */
    record Hit(String id, long sequence, String reason, String detail, Instant effective) {}

    private final Map<String, Hit> byKey = new ConcurrentHashMap<>();

    static String spiffeKey(String id) {
        return "spiffe_id:" + id;
    }

    static String serialKey(String hex) {
        return "serial:" + hex;
    }

    static String jtiKey(String id) {
        return "jti:" + id;
    }

    static String instanceKey(String id) {
        return "agent_instance:" + id;
    }

    static String userKey(String id) {
        return "user:" + id;
    }

    /** Records {@code hit} under {@code key}; of several revocations of one id, the one effective first is kept. */
    void add(String key, Hit hit) {
        byKey.merge(key, hit, (old, added) -> added.effective().isBefore(old.effective()) ? added : old);
    }

    /** The revocation naming {@code key} in effect at {@code now}, or null. */
    Hit find(String key, Instant now) {
        Hit hit = byKey.get(key);
        return hit != null && !now.isBefore(hit.effective()) ? hit : null;
    }

    int size() {
        return byKey.size();
    }
}
