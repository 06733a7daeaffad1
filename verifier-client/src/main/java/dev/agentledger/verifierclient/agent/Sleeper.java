package dev.agentledger.verifierclient.agent;

import java.time.Duration;

/** Waits between polls of a pending approval; {@code Thread::sleep} in production. */
@FunctionalInterface
public interface Sleeper {
    /** Waits {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;
}
