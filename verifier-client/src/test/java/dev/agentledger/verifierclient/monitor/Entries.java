package dev.agentledger.verifierclient.monitor;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.math.BigInteger;

/** Valid log entries for monitor tests, serialized as the log stores them. */
final class Entries {
    static final String TD = "spiffe://example.test";

    private Entries() {}

    private static Header header() {
        return Header.newBuilder().setSchemaVersion(LogEntries.SCHEMA_VERSION).setTimeUnixMillis(1_700_000_000_000L)
                .setCallerSpiffeId(TD + "/agentledger/server").build();
    }

    private static byte[] bytes(LogEntry.Builder entry) {
        return LogEntries.serialize(entry.setHeader(header()).build());
    }

    static byte[] registered(String id, String instance) {
        return bytes(LogEntry.newBuilder().setWorkloadRegistered(WorkloadRegistered.newBuilder()
                .setSpiffeId(id).setAgentName("bot").setAgentInstance(instance).setTask("t")
                .setExpiresUnixMillis(1_700_000_600_000L)));
    }

    static byte[] x509(String id, String instance, long serial) {
        return bytes(LogEntry.newBuilder().setX509SvidIssued(X509SvidIssued.newBuilder()
                .setSpiffeId(id).setAgentInstance(instance)
                .setSerial(ByteString.copyFrom(BigInteger.valueOf(serial).toByteArray()))
                .setValidity(Validity.newBuilder().setNotBeforeUnixMillis(1_700_000_000_000L)
                        .setNotAfterUnixMillis(1_700_003_600_000L))));
    }

    static byte[] jwt(String id, String tokenId) {
        return bytes(LogEntry.newBuilder().setJwtSvidIssued(JwtSvidIssued.newBuilder()
                .setSpiffeId(id).setTokenId(tokenId).addAudience("tool")
                .setValidity(Validity.newBuilder().setNotBeforeUnixMillis(1).setNotAfterUnixMillis(2))));
    }

    static byte[] delegation(String delegate, String delegationId) {
        return bytes(LogEntry.newBuilder().setDelegationGranted(DelegationGranted.newBuilder()
                .setDelegationId(delegationId).setChainDepth(1).setDelegateSpiffeId(delegate).addScopes("read")));
    }

    static byte[] capability(String subject, String tokenId) {
        return bytes(LogEntry.newBuilder().setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder()
                .setTokenId(tokenId).setSubjectSpiffeId(subject).setAction("read").setResource("doc:1")
                .setSingleUse(true)));
    }

    /** An allow decision for {@code principal}, with the anomaly flags given. */
    static byte[] decision(String principal, String... anomalies) {
        return bytes(LogEntry.newBuilder().setPolicyDecision(dev.agentledger.proto.v1.PolicyDecision.newBuilder()
                .setPolicyId("p").setPolicyVersion(1).setPolicySha256(ByteString.copyFrom(new byte[32]))
                .setRequest(dev.agentledger.proto.v1.AuthorizationRequest.newBuilder().setPrincipalSpiffeId(principal)
                        .setAction("read").setResource("doc:1"))
                .setDecision(dev.agentledger.proto.v1.Decision.DECISION_ALLOW)
                .addAllAnomalies(java.util.List.of(anomalies))));
    }

    static byte[] revokedId(String id) {
        return bytes(LogEntry.newBuilder().setRevoked(Revoked.newBuilder().setSpiffeId(id)
                .setReason(RevocationReason.REVOCATION_REASON_AGENT_COMPROMISE)));
    }

    static byte[] revokedInstance(String instance) {
        return bytes(LogEntry.newBuilder().setRevoked(Revoked.newBuilder().setAgentInstance(instance)
                .setReason(RevocationReason.REVOCATION_REASON_TASK_COMPLETED)));
    }

    static byte[] revokedSerial(long serial) {
        return bytes(LogEntry.newBuilder().setRevoked(Revoked.newBuilder()
                .setSerial(ByteString.copyFrom(BigInteger.valueOf(serial).toByteArray()))
                .setReason(RevocationReason.REVOCATION_REASON_KEY_COMPROMISE)));
    }

    /** A registration then an X.509-SVID for agent {@code n}: a normal, alert-free pair. */
    static byte[][] agent(int n) {
        String id = TD + "/agent/bot/i" + n;
        return new byte[][] {registered(id, "i" + n), x509(id, "i" + n, 1000 + n)};
    }
}
