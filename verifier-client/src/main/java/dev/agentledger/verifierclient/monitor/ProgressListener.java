package dev.agentledger.verifierclient.monitor;

/** Told about catch-up progress about once a second, and at the end of each catch-up. */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = p -> { };

    /** Called from the monitor's thread; must return quickly and not throw. */
    void progress(Progress progress);
}
