package dev.agentledger.revocation;

/**
 * Receives one subscriber's feed, in order, on that subscriber's own thread: events with
 * consecutive sequences, heartbeats once it is live, and at most one {@link #onClosed}. Methods
 * may block (a slow listener only delays itself; when its queue fills it is cut off).
 */
public interface RevocationListener {
    /**
     * The next event, whose sequence is one more than the last one delivered.
     *
     * @throws Exception to end the subscription (e.g. the client went away)
     */
    void onEvent(RevocationEvent event) throws Exception;

    /**
     * A heartbeat: every event up to {@code heartbeat.sequence()} has been delivered.
     *
     * @throws Exception to end the subscription
     */
    void onHeartbeat(Heartbeat heartbeat) throws Exception;

    /**
     * The feed ended the subscription (cut off as too slow, or shutting down); the client may
     * resume from {@code lastSequence}. Not called when the listener itself threw or the
     * subscription was closed by its owner.
     */
    void onClosed(String reason, long lastSequence);
}
