package dev.agentledger.verifierclient.agent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs the agent's SVID renewal after a delay; {@link #daemon()} in production, a recording one in tests. */
public interface RenewalTimer extends AutoCloseable {
    /** Runs {@code task} once, {@code delay} from now. */
    void schedule(Runnable task, Duration delay);

    /** Stops running tasks; the default does nothing. */
    @Override
    default void close() {}

    /** A timer on one daemon thread of its own, stopped by {@link #close()}. */
    static RenewalTimer daemon() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("svid-renewal").daemon(true).factory());
        return new RenewalTimer() {
            @Override
            public void schedule(Runnable task, Duration delay) {
                if (!executor.isShutdown()) {
                    executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
