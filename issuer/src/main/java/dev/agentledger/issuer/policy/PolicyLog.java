package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The gate's view of the log: appends that wait until the entry is durable and in a signed
 * checkpoint, and the backward read that rebuilds the gate's state on an existing log. (The
 * issuer's own append is package-private to its package; this is the same contract.)
 */
final class PolicyLog {
    /** An entry of the log with its index. */
    record Logged(long index, LogEntry entry) {}

    /**
     * What the backward read found.
     *
     * @param latest the last {@code PolicyPublished} of the policy set, if any
     * @param entries the gate's entries (of this authority) from the stop point to the end, in log order
     */
    record Recent(Optional<Logged> latest, List<Logged> entries) {}

    private final Ledger ledger;
    private final PolicyConfig config;

    PolicyLog(Ledger ledger, PolicyConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    /** Now, in milliseconds (the precision of entry headers). */
    Instant now() {
        return config.clock().instant().truncatedTo(ChronoUnit.MILLIS);
    }

    Header header(Instant time) {
        return PolicyEntries.header(config.authority(), time);
    }

    /** Appends and waits until the entry is durable and in a signed checkpoint. */
    Appended append(LogEntry entry) throws IssuanceException {
        try {
            return ledger.append(LogEntries.serialize(entry), false).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LedgerException) {
                throw new IssuanceException(Reason.NOT_LOGGED, "the log did not append the entry: " + cause.getMessage(), cause);
            }
            throw new IllegalStateException("the log failed unexpectedly", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IssuanceException(Reason.NOT_LOGGED, "interrupted while waiting for the log", e);
        }
    }

    /**
     * Reads the log backward from its end until it has passed both the last {@code PolicyPublished}
     * of {@code policyId} and every entry stamped at or after {@code since}; entries stamped earlier
     * but found before the stop are kept too. Costs one read and parse per entry passed: the
     * entries of the approval window, or the whole log when the policy set was never published.
     *
     * @throws IllegalStateException if the log holds an entry that does not parse (it checked it once)
     */
    Recent recent(String policyId, Instant since) {
        long size = ledger.checkpoint().size();
        Optional<Logged> latest = Optional.empty();
        List<Logged> entries = new ArrayList<>();
        for (long index = size - 1; index >= 0; index--) {
            LogEntry entry = entry(index);
            boolean ours = entry.getHeader().getCallerSpiffeId().equals(config.authority().value());
            if (ours && latest.isEmpty() && entry.hasPolicyPublished() && entry.getPolicyPublished().getPolicyId().equals(policyId)) {
                latest = Optional.of(new Logged(index, entry));
            }
            if (ours && (entry.hasApprovalRequested() || entry.hasApprovalDecided() || entry.hasPolicyDecision())) {
                entries.add(new Logged(index, entry));
            }
            if (latest.isPresent() && entry.getHeader().getTimeUnixMillis() < since.toEpochMilli()) {
                break;
            }
        }
        Collections.reverse(entries);
        return new Recent(latest, entries);
    }

    private LogEntry entry(long index) {
        byte[] bytes = ledger.entry(index).orElseThrow(() -> new IllegalStateException("log entry " + index + " is missing"));
        try {
            return LogEntries.parse(bytes);
        } catch (MalformedEntryException e) {
            throw new IllegalStateException("log entry " + index + " does not parse: " + e.getMessage(), e);
        }
    }
}
