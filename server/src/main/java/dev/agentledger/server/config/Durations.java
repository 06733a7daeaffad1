package dev.agentledger.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in the configuration file: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 365d}, or ISO-8601 {@code PT5M}. */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException saying the forms accepted
     */
    static Duration parse(String text) {
        Matcher m = SHORT.matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (want e.g. 250ms, 30s, 5m, 2h, 365d or PT5M)");
        }
    }

    /** The shortest form {@link #parse} reads back to the same duration. */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (!Duration.ofMillis(millis).equals(d)) {
            return d.toString();
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis != 0 && millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }
}
