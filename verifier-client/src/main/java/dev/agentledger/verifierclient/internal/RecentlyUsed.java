package dev.agentledger.verifierclient.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of values by key: at most {@code capacity} entries, the least recently used
 * dropped first. Thread-safe; callers compute a missing value outside it and {@link #put} it.
 *
 * @param <K> the key
 * @param <V> the value remembered
 */
public final class RecentlyUsed<K, V> {
    private final int capacity;
    private final Map<K, V> values = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * A memory of at most {@code capacity} values.
     *
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public RecentlyUsed(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is below 1");
        }
        this.capacity = capacity;
    }

    /** The value remembered for {@code key} (now the most recently used), or null. */
    public synchronized V get(K key) {
        return values.get(key);
    }

    /** Remembers {@code value} for {@code key}, dropping the least recently used beyond the capacity. */
    public synchronized void put(K key, V value) {
        values.put(key, value);
        if (values.size() > capacity) {
            values.remove(values.keySet().iterator().next());
        }
    }

    /** How many values are remembered. */
    public synchronized int size() {
        return values.size();
    }
}
