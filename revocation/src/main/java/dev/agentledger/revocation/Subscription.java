package dev.agentledger.revocation;

/** A subscriber's handle on its feed. */
public interface Subscription extends AutoCloseable {
    /** The last sequence delivered to the listener (the starting sequence until one is). */
    long lastSequence();

    /** Ends the subscription; the listener hears nothing more (no {@code onClosed}). Idempotent. */
    @Override
    void close();
}
