package dev.agentledger.revocation;

/**
 * Receives one subscriber's feed, in order, on that subscriber's own thread: events with
 * consecutive sequences (one at a time, or several at once when they were waiting), heartbeats
 * once it is live, and at most one {@link #onClosed}. Methods may block (a slow listener only
 * delays itself; when its queue fills it is cut off).
 */
public interface RevocationListener {
    /**
     * The next event, whose sequence is one more than the last one delivered.
     *
     * @throws Exception to end the subscription (e.g. the client went away)
     */
    void onEvent(RevocationEvent event) throws Exception;

    /**
     * Several events that were waiting, with consecutive sequences starting one after the last one
     * delivered; a listener that writes to a network sends them together. The default delivers
     * them one by one through {@link #onEvent}.
     *
     * @param events one or more events, in sequence order
     * @throws Exception to end the subscription
     */
    default void onEvents(java.util.List<RevocationEvent> events) throws Exception {
        for (RevocationEvent event : events) {
            onEvent(event);
        }
    }

    /**
     * A heartbeat: every event up to {@code heartbeat.sequence()} has been delivered.
     *
     * @throws Exception to end the subscription
     */
    void onHeartbeat(Heartbeat heartbeat) throws Exception;

    /**
     * The feed ended the subscription; the client may resume from {@code lastSequence}. Not called
     * when the listener itself threw or the subscription was closed by its owner.
     *
     * @param cause why: too slow, or shutting down
     * @param message a sentence for humans saying why and where to resume
     */
    void onClosed(Cause cause, String message, long lastSequence);

    /** Why the feed ended a subscription. */
    enum Cause {
        /** The subscriber's queue filled: it was too slow. */
        TOO_SLOW,
        /** The feed is shutting down. */
        SHUTTING_DOWN
    }
}
