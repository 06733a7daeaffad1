package dev.agentledger.verifierclient.monitor;

import dev.agentledger.verifierclient.LogVerifier;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How a {@link Monitor} is set up.
 *
 * @param verifier the log's origin and key, the witness keys and the threshold K of cosignatures
 *     every followed checkpoint must carry (0 allowed)
 * @param log where the log's checkpoint, tiles and entry bundles are read
 * @param stateDir the directory of the monitor's state and inventory, created if needed
 * @param rules the entry alert rules
 * @param alerts where alerts go
 * @param progress told about catch-up progress
 * @param clock the time source for rates and evidence file names
 * @param saveEvery how many entries a long catch-up processes between saves of its position
 */
public record MonitorSettings(LogVerifier verifier, TileFetcher log, Path stateDir, AlertRules rules,
        AlertSink alerts, ProgressListener progress, InstantSource clock, long saveEvery) {
    /** The default {@link #saveEvery}: about a million entries. */
    public static final long DEFAULT_SAVE_EVERY = 1 << 20;

    /** Requires every part and a positive {@code saveEvery}. */
    public MonitorSettings {
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(clock, "clock");
        if (saveEvery <= 0) {
            throw new IllegalArgumentException("saveEvery " + saveEvery + " <= 0");
        }
    }

    /** Settings with no rules, no progress, the system clock and the default save interval. */
    public static MonitorSettings of(LogVerifier verifier, TileFetcher log, Path stateDir, AlertSink alerts) {
        return new MonitorSettings(verifier, log, stateDir, AlertRules.create(java.util.List.of()), alerts,
                ProgressListener.NONE, InstantSource.system(), DEFAULT_SAVE_EVERY);
    }

    /** The same settings with other rules. */
    public MonitorSettings withRules(AlertRules newRules) {
        return new MonitorSettings(verifier, log, stateDir, newRules, alerts, progress, clock, saveEvery);
    }

    /** The same settings with another progress listener. */
    public MonitorSettings withProgress(ProgressListener newProgress) {
        return new MonitorSettings(verifier, log, stateDir, rules, alerts, newProgress, clock, saveEvery);
    }

    /** The same settings with another save interval. */
    public MonitorSettings withSaveEvery(long entries) {
        return new MonitorSettings(verifier, log, stateDir, rules, alerts, progress, clock, entries);
    }
}
