package dev.agentledger.verifierclient.monitor;

import java.time.Duration;

/**
 * How far a catch-up is.
 *
 * @param position entries processed so far (the next index to read)
 * @param target the size of the checkpoint being caught up to
 * @param entriesPerSecond the rate since this catch-up started
 * @param eta the estimated time left at that rate, zero when done or unknown
 */
public record Progress(long position, long target, double entriesPerSecond, Duration eta) {
    /** {@code <position>/<target> entries (<pct>%), <rate> entries/s, ETA <eta>}. */
    @Override
    public String toString() {
        double percent = target == 0 ? 100 : 100.0 * position / target;
        return String.format(java.util.Locale.ROOT, "%d/%d entries (%.1f%%), %.0f entries/s, ETA %s",
                position, target, percent, entriesPerSecond, formatEta(eta));
    }

    private static String formatEta(Duration eta) {
        long s = eta.toSeconds();
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
