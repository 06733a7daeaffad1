package dev.agentledger.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one java.util.logging logger publishes while attached, at every level: for tests
 * that check a line is (or is not) logged. Attach after the first Helidon server of the JVM has
 * started, since Helidon configures logging anew then.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final CountDownLatch first = new CountDownLatch(1);

    private CapturedLog(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing what {@code source}'s logger publishes, and lets it publish every level. */
    public static CapturedLog of(Class<?> source) {
        CapturedLog captured = new CapturedLog(Logger.getLogger(source.getName()));
        captured.logger.addHandler(captured);
        captured.logger.setLevel(Level.ALL);
        return captured;
    }

    /** What was published so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Whether a first record arrived within {@code timeout}. */
    public boolean awaitFirst(Duration timeout) throws InterruptedException {
        return first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
        first.countDown();
    }

    @Override
    public void flush() {}

    /** Stops capturing. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
