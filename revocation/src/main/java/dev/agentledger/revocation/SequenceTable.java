package dev.agentledger.revocation;

import java.util.Arrays;

/**
 * Per revocation sequence: the log index of its entry and until when it stays in the snapshot.
 * Sequence {@code n} is row {@code n - 1}; log indexes grow with the sequence, so a log index is
 * found by binary search. Not thread-safe: the feed uses it under its lock.
 */
final class SequenceTable {
    private long[] logIndexes = new long[1024];
    private long[] relevantUntil = new long[1024];
    private int size;

    /** The last sequence numbered; 0 when none. */
    long last() {
        return size;
    }

    /** Numbers the entry at {@code logIndex}; returns its sequence. Requires indexes to grow. */
    long append(long logIndex, long until) {
        if (size > 0 && logIndexes[size - 1] >= logIndex) {
            throw new IllegalArgumentException("log index " + logIndex + " does not follow " + logIndexes[size - 1]);
        }
        if (size == logIndexes.length) {
            logIndexes = Arrays.copyOf(logIndexes, size * 2);
            relevantUntil = Arrays.copyOf(relevantUntil, size * 2);
        }
        logIndexes[size] = logIndex;
        relevantUntil[size] = until;
        return ++size;
    }

    /** The log index of {@code sequence}; requires {@code 1 <= sequence <= last()}. */
    long logIndex(long sequence) {
        return logIndexes[row(sequence)];
    }

    /** Until when {@code sequence} stays in the snapshot, ms since the epoch. */
    long relevantUntil(long sequence) {
        return relevantUntil[row(sequence)];
    }

    /** Keeps {@code sequence} in the snapshot at least until {@code until}. */
    void extend(long sequence, long until) {
        int row = row(sequence);
        relevantUntil[row] = Math.max(relevantUntil[row], until);
    }

    /** The sequence of the entry at {@code logIndex}, or 0 if that entry is not numbered. */
    long sequenceOf(long logIndex) {
        int found = Arrays.binarySearch(logIndexes, 0, size, logIndex);
        return found < 0 ? 0 : found + 1;
    }

    private int row(long sequence) {
        if (sequence < 1 || sequence > size) {
            throw new IllegalArgumentException("sequence " + sequence + " not in 1.." + size);
        }
        return (int) (sequence - 1);
    }
}
