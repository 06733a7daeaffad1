package dev.agentledger.verifierclient.monitor;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.Validity;
import java.util.HexFormat;

/**
 * Decodes a logged entry with {@link LogEntries#parse} and flattens it into an {@link
 * InventoryRecord}, one per event kind of {@code log_entry.proto}. Bytes that are not a valid entry
 * become a {@code malformed} record saying why.
 */
final class EntryRecords {
    /** The kind of a record for bytes that are not a valid {@code LogEntry}. */
    static final String MALFORMED = "malformed";

    private static final HexFormat HEX = HexFormat.of();
    /** Ends the detail of a {@code policy_decision} record whose decision logged anomaly flags, followed by them. */
    static final String ANOMALIES = "; anomalies: ";
    /** The kind of a policy decision record. */
    static final String POLICY_DECISION = "policy_decision";

    private EntryRecords() {}

    /** The record of entry {@code index}, whose logged bytes are {@code entry}. */
    static InventoryRecord record(long index, byte[] entry) {
        LogEntry parsed;
        try {
            parsed = LogEntries.parse(entry);
        } catch (MalformedEntryException e) {
            return new InventoryRecord(index, 0, MALFORMED, "", "", "", "", "", 0, 0, e.getMessage());
        }
        return record(index, parsed);
    }

    static InventoryRecord record(long index, LogEntry entry) {
        Row row = new Row(index, entry.getHeader().getTimeUnixMillis(), LogEntries.kind(entry));
        switch (entry.getEventCase()) {
            case X509_SVID_ISSUED -> {
                var e = entry.getX509SvidIssued();
                row.spiffeId = e.getSpiffeId();
                row.agentInstance = e.getAgentInstance();
                row.serial = hex(e.getSerial());
                row.validity(e.getValidity());
                row.detail = "issuer key " + e.getIssuerKeyId();
            }
            case JWT_SVID_ISSUED -> {
                var e = entry.getJwtSvidIssued();
                row.spiffeId = e.getSpiffeId();
                row.agentInstance = e.getAgentInstance();
                row.tokenId = e.getTokenId();
                row.validity(e.getValidity());
                row.detail = "audience " + e.getAudienceList() + ", issuer key " + e.getIssuerKeyId();
            }
            case WORKLOAD_REGISTERED -> {
                var e = entry.getWorkloadRegistered();
                row.spiffeId = e.getSpiffeId();
                row.agentInstance = e.getAgentInstance();
                row.notAfter = e.getExpiresUnixMillis();
                row.detail = "agent " + e.getAgentName() + ", task " + e.getTask() + ", environment "
                        + e.getEnvironment() + ", by " + e.getOrchestratorSpiffeId() + user(", for ", e.getActingUser());
            }
            case KEY_PUBLISHED -> {
                var e = entry.getKeyPublished();
                row.validity(e.getValidity());
                row.detail = "key " + e.getKeyId() + ", " + e.getUse() + ", " + e.getAlgorithm() + ", trust domain "
                        + e.getTrustDomain() + (e.getPreviousKeyId().isEmpty() ? "" : ", replaces " + e.getPreviousKeyId());
            }
            case DELEGATION_GRANTED -> {
                var e = entry.getDelegationGranted();
                row.spiffeId = e.getDelegateSpiffeId();
                row.delegationId = e.getDelegationId();
                row.tokenId = e.getDelegationId();
                row.validity(e.getValidity());
                row.detail = "depth " + e.getChainDepth() + user(", for ", e.getActingUser())
                        + (e.getDelegatorSpiffeId().isEmpty() ? "" : ", by " + e.getDelegatorSpiffeId())
                        + (e.getParentDelegationId().isEmpty() ? "" : ", parent " + e.getParentDelegationId())
                        + ", scopes " + e.getScopesList();
            }
            case CAPABILITY_TOKEN_ISSUED -> {
                var e = entry.getCapabilityTokenIssued();
                row.spiffeId = e.getSubjectSpiffeId();
                row.tokenId = e.getTokenId();
                row.delegationId = e.getDelegationId();
                row.validity(e.getValidity());
                row.detail = e.getAction() + " " + e.getResource() + user(", for ", e.getActingUser())
                        + (e.getSingleUse() ? ", single use" : "");
            }
            case TOKEN_CONSUMED -> {
                var e = entry.getTokenConsumed();
                row.spiffeId = e.getPresenterSpiffeId();
                row.tokenId = e.getTokenId();
                row.detail = e.getAction() + " " + e.getResource() + ", consumed by " + e.getConsumerSpiffeId();
            }
            case POLICY_PUBLISHED -> {
                var e = entry.getPolicyPublished();
                row.detail = "policy " + e.getPolicyId() + " version " + e.getVersion() + " by " + e.getPublishedBy();
            }
            case POLICY_DECISION -> {
                var e = entry.getPolicyDecision();
                request(row, e.getRequest());
                row.detail = e.getDecision() + " " + row.detail + ", policy " + e.getPolicyId() + " v"
                        + e.getPolicyVersion() + (e.getApprovalId().isEmpty() ? "" : ", approval " + e.getApprovalId())
                        + (e.getAnomaliesCount() == 0 ? "" : ANOMALIES + String.join(" ", e.getAnomaliesList()));
            }
            case APPROVAL_REQUESTED -> {
                var e = entry.getApprovalRequested();
                request(row, e.getRequest());
                row.detail = "approval " + e.getApprovalId() + " requested: " + row.detail;
            }
            case APPROVAL_DECIDED -> {
                var e = entry.getApprovalDecided();
                row.detail = "approval " + e.getApprovalId() + " " + e.getOutcome() + user(" by ", e.getApprover());
            }
            case REVOKED -> revoked(row, entry.getRevoked());
            case TOOL_CALL_RECORDED -> {
                var e = entry.getToolCallRecorded();
                row.spiffeId = e.getCallerSpiffeId();
                row.tokenId = e.getCapabilityTokenId();
                row.detail = e.getMethod() + " " + e.getUpstream() + e.getPath() + " -> " + e.getResponseStatus()
                        + (e.getRefusalReason().isEmpty() ? "" : " refused: " + e.getRefusalReason());
            }
            case EVENT_NOT_SET -> row.detail = "no event";
        }
        return row.toRecord();
    }

    private static void request(Row row, AuthorizationRequest request) {
        row.spiffeId = request.getPrincipalSpiffeId();
        if (request.getDelegationIdsCount() > 0) {
            row.delegationId = request.getDelegationIds(request.getDelegationIdsCount() - 1);
        }
        row.detail = request.getAction() + " " + request.getResource() + user(", for ", request.getActingUser());
    }

    private static void revoked(Row row, Revoked e) {
        switch (e.getTargetCase()) {
            case SPIFFE_ID -> row.spiffeId = e.getSpiffeId();
            case SERIAL -> row.serial = hex(e.getSerial());
            case TOKEN_ID -> row.tokenId = e.getTokenId();
            case DELEGATION_ID -> row.delegationId = e.getDelegationId();
            case AGENT_INSTANCE -> row.agentInstance = e.getAgentInstance();
            case USER, TARGET_NOT_SET -> { }
        }
        row.notBefore = e.getEffectiveUnixMillis();
        row.detail = "revoked " + e.getTargetCase().name().toLowerCase(java.util.Locale.ROOT)
                + user(" ", e.getUser()) + ", " + e.getReason() + (e.getCascade() ? ", cascade" : "")
                + ", by " + e.getRequestedBy();
    }

    private static String user(String prefix, User user) {
        return user.getIssuer().isEmpty() && user.getSubject().isEmpty() ? "" : prefix + user.getIssuer() + "#" + user.getSubject();
    }

    private static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    /** The record's fields while they are being filled in. */
    private static final class Row {
        final long index;
        final long time;
        final String kind;
        String spiffeId = "";
        String agentInstance = "";
        String serial = "";
        String tokenId = "";
        String delegationId = "";
        long notBefore;
        long notAfter;
        String detail = "";

        Row(long index, long time, String kind) {
            this.index = index;
            this.time = time;
            this.kind = kind;
        }

        void validity(Validity validity) {
            notBefore = validity.getNotBeforeUnixMillis();
            notAfter = validity.getNotAfterUnixMillis();
        }

        InventoryRecord toRecord() {
            return new InventoryRecord(index, time, kind, spiffeId, agentInstance, serial, tokenId, delegationId,
                    notBefore, notAfter, detail);
        }
    }
}
