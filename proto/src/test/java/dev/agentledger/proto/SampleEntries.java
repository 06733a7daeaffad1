package dev.agentledger.proto;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.ApprovalDecided;
import dev.agentledger.proto.v1.ApprovalOutcome;
import dev.agentledger.proto.v1.ApprovalRequested;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.KeyAlgorithm;
import dev.agentledger.proto.v1.KeyPublished;
import dev.agentledger.proto.v1.KeyUse;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import dev.agentledger.proto.v1.PolicyLanguage;
import dev.agentledger.proto.v1.PolicyPublished;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.TokenConsumed;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Fully populated entries, one row per event kind and per alternative of every inner {@code
 * oneof}: every field of every row is set to a non-default value (checked by {@link
 * LogEntriesTest}). Built fresh on each call; nothing here is shared or mutable.
 */
final class SampleEntries {
    static final String TRUST_DOMAIN = "spiffe://agentledger.test";
    static final String AGENT = TRUST_DOMAIN + "/agent/invoice-bot/i-7f3a";
    static final String ISSUER = TRUST_DOMAIN + "/agentledger/issuer";
    static final String TOOL = TRUST_DOMAIN + "/tool/payments";
    static final long T0 = 1_790_000_000_000L;

    private SampleEntries() {}

    /** Row name to entry, in a fixed order. */
    static Map<String, LogEntry> all() {
        Map<String, LogEntry> rows = new LinkedHashMap<>();
        rows.put("x509_svid_issued", entry(e -> e.setX509SvidIssued(x509SvidIssued())));
        rows.put("jwt_svid_issued", entry(e -> e.setJwtSvidIssued(jwtSvidIssued())));
        rows.put("workload_registered", entry(e -> e.setWorkloadRegistered(workloadRegistered())));
        rows.put("key_published/der", entry(e -> e.setKeyPublished(keyPublished()
                .setPublicKeyDer(bytes("SubjectPublicKeyInfo of the CA key")))));
        rows.put("key_published/jwk", entry(e -> e.setKeyPublished(keyPublished()
                .setPublicJwkJson("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83O\",\"y\":\"x_FE\"}"))));
        rows.put("key_published/note", entry(e -> e.setKeyPublished(keyPublished()
                .setNoteVerifierKey("agentledger.test/log+1a2b3c4d+AZFx3YQ5e0s"))));
        rows.put("delegation_granted", entry(e -> e.setDelegationGranted(delegationGranted())));
        rows.put("capability_token_issued", entry(e -> e.setCapabilityTokenIssued(capabilityTokenIssued())));
        rows.put("token_consumed", entry(e -> e.setTokenConsumed(tokenConsumed())));
        rows.put("policy_published", entry(e -> e.setPolicyPublished(policyPublished())));
        rows.put("policy_decision", entry(e -> e.setPolicyDecision(policyDecision())));
        rows.put("approval_requested", entry(e -> e.setApprovalRequested(approvalRequested())));
        rows.put("approval_decided", entry(e -> e.setApprovalDecided(approvalDecided())));
        rows.put("revoked/spiffe_id", entry(e -> e.setRevoked(revoked().setSpiffeId(AGENT))));
        rows.put("revoked/serial", entry(e -> e.setRevoked(revoked().setSerial(serial()))));
        rows.put("revoked/token_id", entry(e -> e.setRevoked(revoked().setTokenId("cap-0042"))));
        rows.put("revoked/delegation_id", entry(e -> e.setRevoked(revoked().setDelegationId("dlg-0007"))));
        rows.put("revoked/agent_instance", entry(e -> e.setRevoked(revoked().setAgentInstance("i-7f3a"))));
        rows.put("revoked/user", entry(e -> e.setRevoked(revoked().setUser(user()))));
        rows.put("tool_call_recorded", entry(e -> e.setToolCallRecorded(toolCallRecorded())));
        return rows;
    }

    /** An entry with the sample header and the event {@code event} sets. */
    static LogEntry entry(UnaryOperator<LogEntry.Builder> event) {
        return event.apply(LogEntry.newBuilder().setHeader(header())).build();
    }

    static Header header() {
        return Header.newBuilder()
                .setTimeUnixMillis(T0)
                .setCallerSpiffeId(ISSUER)
                .setRequestId("req-0001")
                .setSchemaVersion(LogEntries.SCHEMA_VERSION)
                .build();
    }

    static X509SvidIssued x509SvidIssued() {
        ByteString certificate = bytes("DER of the X.509-SVID");
        return X509SvidIssued.newBuilder()
                .setSpiffeId(AGENT)
                .setCertificateDer(certificate)
                .setCertificateSha256(sha256(certificate))
                .setSerial(serial())
                .setValidity(validity())
                .setIssuerKeyId("ca-2026-11")
                .setAgentInstance("i-7f3a")
                .build();
    }

    static JwtSvidIssued jwtSvidIssued() {
        return JwtSvidIssued.newBuilder()
                .setSpiffeId(AGENT)
                .setTokenId("jwt-0001")
                .setTokenSha256(sha256("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"))
                .addAudience(TOOL)
                .setValidity(validity())
                .setIssuerKeyId("jwt-2026-11")
                .setAgentInstance("i-7f3a")
                .setConfirmationCertificateSha256(sha256("DER of the X.509-SVID"))
                .build();
    }

    static WorkloadRegistered workloadRegistered() {
        return WorkloadRegistered.newBuilder()
                .setSpiffeId(AGENT)
                .setAgentName("invoice-bot")
                .setAgentInstance("i-7f3a")
                .setTask("pay invoice 2026-117")
                .setActingUser(user())
                .setEnvironment("prod")
                .setOrchestratorSpiffeId(TRUST_DOMAIN + "/orchestrator")
                .setJoinTokenId("join-0001")
                .setJoinTokenSha256(sha256("the join token, never logged"))
                .addSelectors("k8s:ns:agents")
                .addSelectors("k8s:sa:invoice-bot")
                .setExpiresUnixMillis(T0 + 3_600_000)
                .setJoinTokenExpiresUnixMillis(T0 + 60_000)
                .build();
    }

    static KeyPublished.Builder keyPublished() {
        return KeyPublished.newBuilder()
                .setKeyId("ca-2026-11")
                .setAlgorithm(KeyAlgorithm.KEY_ALGORITHM_ECDSA_P256_SHA256)
                .setUse(KeyUse.KEY_USE_X509_SVID)
                .setValidity(validity())
                .setPreviousKeyId("ca-2026-10")
                .setTrustDomain("agentledger.test")
                .setCaCertificateDer(bytes("DER of the CA certificate"));
    }

    static DelegationGranted delegationGranted() {
        return DelegationGranted.newBuilder()
                .setDelegationId("dlg-0008")
                .setParentDelegationId("dlg-0007")
                .setChainDepth(2)
                .setActingUser(user())
                .setDelegatorSpiffeId(TRUST_DOMAIN + "/agent/planner/i-01")
                .setDelegateSpiffeId(AGENT)
                .addScopes("payments:write")
                .addResources("invoice:2026-117")
                .addAudience(TOOL)
                .setValidity(validity())
                .setTokenSha256(sha256("the delegation token, never logged"))
                .setIssuerKeyId("at-2026-11")
                .setApprovalId("apr-0003")
                .build();
    }

    static CapabilityTokenIssued capabilityTokenIssued() {
        return CapabilityTokenIssued.newBuilder()
                .setTokenId("cap-0042")
                .setTokenSha256(sha256("the capability token, never logged"))
                .setSubjectSpiffeId(AGENT)
                .setDelegationId("dlg-0008")
                .setActingUser(user())
                .setAction("payments:pay")
                .setResource("invoice:2026-117")
                .addAudience(TOOL)
                .setValidity(validity())
                .setIssuerKeyId("at-2026-11")
                .setSingleUse(true)
                .setConfirmationCertificateSha256(sha256("DER of the X.509-SVID"))
                .setApprovalId("apr-0003")
                .build();
    }

    static TokenConsumed tokenConsumed() {
        return TokenConsumed.newBuilder()
                .setTokenId("cap-0042")
                .setTokenSha256(sha256("the capability token, never logged"))
                .setConsumerSpiffeId(TOOL)
                .setPresenterSpiffeId(AGENT)
                .setAction("payments:pay")
                .setResource("invoice:2026-117")
                .build();
    }

    static PolicyPublished policyPublished() {
        String text = "permit(principal, action == Action::\"read\", resource);";
        return PolicyPublished.newBuilder()
                .setPolicyId("default")
                .setVersion(4)
                .setPolicySha256(sha256(text))
                .setPolicyText(text)
                .setLanguage(PolicyLanguage.POLICY_LANGUAGE_CEDAR)
                .setPreviousVersion(3)
                .setPublishedBy(TRUST_DOMAIN + "/operator/alice")
                .build();
    }

    static AuthorizationRequest authorizationRequest() {
        return AuthorizationRequest.newBuilder()
                .setPrincipalSpiffeId(AGENT)
                .setActingUser(user())
                .setAction("payments:pay")
                .setResource("invoice:2026-117")
                .addDelegationIds("dlg-0007")
                .addDelegationIds("dlg-0008")
                .putContext("amount_eur", "1200")
                .putContext("country", "DE")
                .build();
    }

    static PolicyDecision policyDecision() {
        return PolicyDecision.newBuilder()
                .setPolicyId("default")
                .setPolicyVersion(4)
                .setPolicySha256(sha256("policy text v4"))
                .setRequest(authorizationRequest())
                .setDecision(Decision.DECISION_NEEDS_APPROVAL)
                .addReasons("policy0: amount_eur > 1000 needs approval")
                .setApprovalId("apr-0003")
                .addAnomalies("first_use")
                .build();
    }

    static ApprovalRequested approvalRequested() {
        return ApprovalRequested.newBuilder()
                .setApprovalId("apr-0003")
                .setRequest(authorizationRequest())
                .setPolicyId("default")
                .setPolicyVersion(4)
                .addApprovers("group:finance")
                .setExpiresUnixMillis(T0 + 900_000)
                .setReason("payment over 1000 EUR")
                .build();
    }

    static ApprovalDecided approvalDecided() {
        return ApprovalDecided.newBuilder()
                .setApprovalId("apr-0003")
                .setOutcome(ApprovalOutcome.APPROVAL_OUTCOME_APPROVED)
                .setApprover(User.newBuilder().setIssuer("https://idp.agentledger.test").setSubject("u-bob"))
                .setComment("invoice checked")
                .build();
    }

    static Revoked.Builder revoked() {
        return Revoked.newBuilder()
                .setReason(RevocationReason.REVOCATION_REASON_AGENT_COMPROMISE)
                .setReasonDetail("prompt injection seen in tool output")
                .setEffectiveUnixMillis(T0 - 60_000)
                .setCascade(true)
                .setRequestedBy(TRUST_DOMAIN + "/operator/alice");
    }

    static ToolCallRecorded toolCallRecorded() {
        return ToolCallRecorded.newBuilder()
                .setCallerSpiffeId(AGENT)
                .addDelegationIds("dlg-0007")
                .addDelegationIds("dlg-0008")
                .setCapabilityTokenId("cap-0042")
                .setActingUser(user())
                .setUpstream("payments.internal")
                .setMethod("POST")
                .setPath("/v1/payments")
                .setRequestBodySha256(sha256("{\"invoice\":\"2026-117\"}"))
                .setResponseStatus(201)
                .setLatencyMicros(48_250)
                .addInjectedCredentialNames("vault:payments/api-key")
                .setResponseBodySha256(sha256("{\"id\":\"pay-9\"}"))
                .setRefusalReason("rate_limited")
                .setAction("payments:send")
                .setResource("spiffe://agentledger.local/tool/payments")
                .build();
    }

    static User user() {
        return User.newBuilder().setIssuer("https://idp.agentledger.test").setSubject("u-carol").build();
    }

    static Validity validity() {
        return Validity.newBuilder()
                .setNotBeforeUnixMillis(T0)
                .setNotAfterUnixMillis(T0 + 3_600_000)
                .build();
    }

    /** A positive 16-byte serial whose top bit is set, so DER needs a leading zero octet. */
    static ByteString serial() {
        byte[] serial = new byte[17];
        for (int i = 1; i < serial.length; i++) {
            serial[i] = (byte) (0x80 + i);
        }
        return ByteString.copyFrom(serial);
    }

    static ByteString bytes(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    static ByteString sha256(String text) {
        return sha256(bytes(text));
    }

    static ByteString sha256(ByteString data) {
        try {
            return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(data.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
