package dev.agentledger.issuer;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that need a fresh issuer on a fresh log each: opened before, closed after. */
abstract class IssuerOnLogTest {
    @TempDir
    Path directory;

    TestLog log;

    @BeforeEach
    void openLog() throws Exception {
        log = new TestLog(directory);
    }

    @AfterEach
    void closeLog() {
        log.close();
    }
}
