package dev.agentledger.issuer.policy;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that need a fresh log each: opened before, closed after, reopened by {@link #restart()}. */
abstract class GateOnLogTest {
    /** A Monday, 10:00 UTC: business hours. */
    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path directory;

    final ManualClock clock = new ManualClock(START);
    GateLog log;

    @BeforeEach
    void openLog() {
        log = new GateLog(directory, clock);
    }

    @AfterEach
    void closeLog() {
        log.close();
    }

    /** Closes the log and opens it again on the same directory, as after a restart. */
    void restart() {
        log.close();
        log = new GateLog(directory, clock);
    }
}
