package dev.agentledger.verifierclient.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The entry rules, checked against each entry before it joins the {@link Inventory}:
 * <ul>
 *   <li>{@link AlertKind#UNEXPECTED_ID}: a SPIFFE ID an entry is about matches none of the expected
 *       patterns (only when patterns are configured);
 *   <li>{@link AlertKind#UNREGISTERED_ISSUANCE}: an X.509- or JWT-SVID for a SPIFFE ID that no earlier
 *       {@code workload_registered} entry registered, or for an agent instance it did not register
 *       under that ID;
 *   <li>{@link AlertKind#ISSUANCE_TO_REVOKED}: an SVID, delegation or capability token for a SPIFFE
 *       ID or agent instance an earlier {@code revoked} entry revoked;
 *   <li>{@link AlertKind#MALFORMED_ENTRY}: logged bytes that are not a valid entry;
 *   <li>{@link AlertKind#ANOMALY}: a {@code policy_decision} the issuer flagged as new for its agent
 *       (the flags logged in the decision: {@code first_use}, {@code rate_spike}, {@code off_hours}).
 * </ul>
 * Immutable.
 */
public final class AlertRules {
    private static final Set<String> SVIDS = Set.of("x509_svid_issued", "jwt_svid_issued");
    private static final Set<String> ISSUANCES = Set.of("x509_svid_issued", "jwt_svid_issued",
            "delegation_granted", "capability_token_issued");

    private final List<IdPattern> expected;

    private AlertRules(List<IdPattern> expected) {
        this.expected = expected;
    }

    /**
     * Rules with the given expected SPIFFE ID patterns (see the class comment of the pattern
     * syntax: {@code re:<regex>}, else a glob with {@code *} and {@code **}); none means every ID is
     * expected.
     *
     * @throws IllegalArgumentException if a pattern is empty or a regex does not compile
     */
    public static AlertRules create(List<String> expectedPatterns) {
        return new AlertRules(expectedPatterns.stream().map(IdPattern::parse).toList());
    }

    /** The alerts {@code record} raises given what {@code inventory} holds before it. */
    List<Alert> check(InventoryRecord record, Inventory inventory) {
        List<Alert> alerts = new ArrayList<>(0);
        if (record.kind().equals(EntryRecords.MALFORMED)) {
            alerts.add(new Alert(AlertKind.MALFORMED_ENTRY, record.index(), record.detail(), List.of()));
            return alerts;
        }
        String id = record.spiffeId();
        if (!expected.isEmpty() && !id.isEmpty() && expected.stream().noneMatch(p -> p.matches(id))) {
            alerts.add(new Alert(AlertKind.UNEXPECTED_ID, record.index(), record.kind() + " for " + id
                    + " matches no expected pattern " + expected.stream().map(IdPattern::text).toList(), List.of()));
        }
        int anomalies = record.detail().lastIndexOf(EntryRecords.ANOMALIES);
        if (record.kind().equals(EntryRecords.POLICY_DECISION) && anomalies >= 0) {
            alerts.add(new Alert(AlertKind.ANOMALY, record.index(), record.detail().substring(anomalies + EntryRecords.ANOMALIES.length())
                    + " for " + id + ": " + record.detail().substring(0, anomalies), List.of()));
        }
        if (SVIDS.contains(record.kind())) {
            if (!inventory.isRegistered(id)) {
                alerts.add(new Alert(AlertKind.UNREGISTERED_ISSUANCE, record.index(), record.kind() + " for " + id
                        + ", which no earlier entry registered", List.of()));
            } else if (!record.agentInstance().isEmpty() && !inventory.isRegistered(id, record.agentInstance())) {
                alerts.add(new Alert(AlertKind.UNREGISTERED_ISSUANCE, record.index(), record.kind() + " for " + id
                        + " instance " + record.agentInstance() + ", which no earlier entry registered under that ID",
                        List.of()));
            }
        }
        if (ISSUANCES.contains(record.kind())) {
            if (!id.isEmpty() && inventory.isRevokedId(id)) {
                alerts.add(new Alert(AlertKind.ISSUANCE_TO_REVOKED, record.index(), record.kind() + " for " + id
                        + ", which an earlier entry revoked", List.of()));
            } else if (!record.agentInstance().isEmpty() && inventory.isRevokedInstance(record.agentInstance())) {
                alerts.add(new Alert(AlertKind.ISSUANCE_TO_REVOKED, record.index(), record.kind() + " for " + id
                        + " instance " + record.agentInstance() + ", which an earlier entry revoked", List.of()));
            }
        }
        return alerts;
    }
}
