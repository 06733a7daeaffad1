package dev.agentledger.verifierclient.witness;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a witness keeps, per log origin, the latest checkpoint it cosigned. {@link Witness} calls
 * it under a per-origin lock, so an implementation needs no locking of its own for one origin but
 * must allow calls for different origins at once.
 */
public interface WitnessStore {
    /**
     * The latest state recorded for {@code origin}, or empty if none.
     *
     * @throws IOException if the store cannot be read or holds something unreadable
     */
    Optional<TreeState> latest(String origin) throws IOException;

    /**
     * Records {@code state} as the latest for {@code origin}. When this returns, the state is
     * durable (survives a crash); if it throws, the previous state is still the recorded one.
     *
     * @throws IOException if the state could not be made durable
     */
    void put(String origin, TreeState state) throws IOException;
}
