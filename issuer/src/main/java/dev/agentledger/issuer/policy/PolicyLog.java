package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import dev.agentledger.proto.v1.PolicyPublished;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

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
     * @param latest the latest version of the policy set, if it was ever published
     * @param entries the gate's entries (of this authority) stamped at or after the read's start time, in log order
     * @param readFrom the lowest index read (the log's size when nothing was read): the read cost size - readFrom entries
     */
    record Recent(Optional<PolicyVersion> latest, List<Logged> entries, long readFrom) {}

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
        return dev.agentledger.issuer.Appends.await(ledger, entry);
    }

    /** Appends {@code entries} in this order in one batch ({@link dev.agentledger.issuer.Appends#awaitAll}) and waits for all. */
    List<Appended> appendAll(List<LogEntry> entries) throws IssuanceException {
        return dev.agentledger.issuer.Appends.awaitAll(ledger, entries);
    }

    /**
     * Reads the log backward from its end to find the latest version of {@code policyId} and the
     * gate's entries stamped at or after {@code since}. The latest version is the highest one
     * named by a {@code PolicyPublished} or {@code PolicyDecision} of the set; the read stops once
     * it is past {@code since} and has found either the set's last publication, or a decision and
     * then {@code slack} more of log time (a version published while decisions were under way is
     * logged at most that long before their entries). Costs one read and parse per entry passed:
     * about the entries of the approval window, or the whole log for a set never published.
     *
     * @throws IllegalStateException if the log holds an entry that does not parse (it checked it once)
     */
    Recent recent(String policyId, Instant since, Duration slack) {
        String authority = config.authority().value();
        long sinceMillis = since.toEpochMilli();
        long decisionSeen = Long.MAX_VALUE;
        boolean publicationSeen = false;
        PolicyVersion latest = null;
        List<Logged> entries = new ArrayList<>();
        long index = ledger.checkpoint().size() - 1;
        for (; index >= 0; index--) {
            LogEntry entry = entry(index);
            if (!entry.getHeader().getCallerSpiffeId().equals(authority)) {
                continue; // only the gate's own entries and clock count
            }
            long time = entry.getHeader().getTimeUnixMillis();
            if (entry.hasPolicyPublished() && entry.getPolicyPublished().getPolicyId().equals(policyId)) {
                PolicyPublished published = entry.getPolicyPublished();
                latest = later(latest, new PolicyVersion(policyId, published.getVersion(), Hash.of(published.getPolicySha256().toByteArray())));
                publicationSeen = true;
            }
            if (entry.hasPolicyDecision() && entry.getPolicyDecision().getPolicyId().equals(policyId)) {
                PolicyDecision decision = entry.getPolicyDecision();
                latest = later(latest, new PolicyVersion(policyId, decision.getPolicyVersion(), Hash.of(decision.getPolicySha256().toByteArray())));
                if (decisionSeen == Long.MAX_VALUE) {
                    decisionSeen = time; // the last decision in the log; a newer version is logged at most slack before it
                }
            }
            if (time >= sinceMillis && (entry.hasApprovalRequested() || entry.hasApprovalDecided() || entry.hasPolicyDecision())) {
                entries.add(new Logged(index, entry));
            }
            if (time < sinceMillis && (publicationSeen || (decisionSeen != Long.MAX_VALUE && time < decisionSeen - slack.toMillis()))) {
                break;
            }
        }
        Collections.reverse(entries);
        return new Recent(Optional.ofNullable(latest), entries, Math.max(index, 0));
    }

    private static PolicyVersion later(PolicyVersion known, PolicyVersion found) {
        return known == null || found.version() > known.version() ? found : known;
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
