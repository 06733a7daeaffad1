package dev.agentledger.bench;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Warm-up until the JIT compilers are quiet: a JVM under a new load compiles for a minute or more
 * (tens of thousands of methods here), on the cores the measurement needs, so a fixed few seconds
 * of warm-up measures the compiler as much as the code.
 */
final class WarmUp {
    /** One round of the load being warmed up. */
    @FunctionalInterface
    interface Round {
        void run() throws Exception;
    }

    private WarmUp() {}

    /**
     * Runs {@code round} until, in one round, the compilers' time ({@code jit}) was under
     * {@code share} of {@code total} (both counters, in the same unit), or {@code maxRounds}
     * rounds; prints each round's share.
     *
     * @param of what {@code total} counts, for the printed line ("the CPU time", "the round")
     */
    static void untilJitQuiet(Round round, LongSupplier jit, LongSupplier total, String of, double share, int maxRounds)
            throws Exception {
        for (int n = 1; ; n++) {
            long jitBefore = jit.getAsLong();
            long totalBefore = total.getAsLong();
            round.run();
            double taken = (double) (jit.getAsLong() - jitBefore) / (total.getAsLong() - totalBefore);
            System.out.printf(Locale.ROOT, "warm-up round %d: JIT compilation %.0f %% of %s%n", n, 100 * taken, of);
            if (taken < share || n == maxRounds) {
                return;
            }
        }
    }
}
