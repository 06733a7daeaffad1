package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.PolicyDecision;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogEntryIndexerTest {
    private static final Header HEADER = Header.newBuilder()
            .setTimeUnixMillis(1_790_000_000_000L)
            .setCallerSpiffeId("spiffe://agentledger.test/operator")
            .setRequestId("r-1")
            .setSchemaVersion(LogEntries.SCHEMA_VERSION)
            .build();

    @Test
    void indexesWhatTheEntryIsAboutNotWhoAppendedIt() throws InvalidEntryException {
        LogEntry issued = LogEntry.newBuilder()
                .setHeader(HEADER)
                .setX509SvidIssued(X509SvidIssued.newBuilder()
                        .setSpiffeId("spiffe://agentledger.test/agent/a1")
                        // DER INTEGER content 0x00 0x8f 0x01: a positive serial with a sign byte.
                        .setSerial(ByteString.copyFrom(new byte[] {0x00, (byte) 0x8f, 0x01})))
                .build();
        assertEquals(
                List.of(
                        new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://agentledger.test/agent/a1"),
                        new IndexKey(IndexKey.Kind.SERIAL, "8f01")),
                LogEntryIndexer.INSTANCE.keys(LogEntries.serialize(issued)));
    }

    /**
     * Nested and repeated messages are walked to any depth, and only what is set is indexed: a
     * decision is found by every delegation of the chain it was made under.
     */
    @Test
    void indexesKeysInNestedMessages() throws InvalidEntryException {
        AuthorizationRequest request = AuthorizationRequest.newBuilder()
                .setPrincipalSpiffeId("spiffe://agentledger.test/agent/a1/i1")
                .setActingUser(User.newBuilder().setIssuer("https://idp.test").setSubject("alice"))
                .setAction("db.write").setResource("orders")
                .addDelegationIds("d-1").addDelegationIds("d-2")
                .putContext("approval_id", "not a field, not indexed")
                .build();
        LogEntry decided = LogEntry.newBuilder()
                .setHeader(HEADER)
                .setPolicyDecision(PolicyDecision.newBuilder().setPolicyId("p").setRequest(request)
                        .setDecision(Decision.DECISION_NEEDS_APPROVAL).setApprovalId("a-7"))
                .build();
        assertEquals(
                List.of(
                        new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://agentledger.test/agent/a1/i1"),
                        new IndexKey(IndexKey.Kind.TOKEN_ID, "d-1"),
                        new IndexKey(IndexKey.Kind.TOKEN_ID, "d-2"),
                        new IndexKey(IndexKey.Kind.TOKEN_ID, "a-7")),
                LogEntryIndexer.INSTANCE.keys(LogEntries.serialize(decided)));
        LogEntry withoutRequest = decided.toBuilder()
                .setPolicyDecision(decided.getPolicyDecision().toBuilder().clearRequest())
                .build();
        assertEquals(
                List.of(new IndexKey(IndexKey.Kind.TOKEN_ID, "a-7")),
                LogEntryIndexer.INSTANCE.keys(LogEntries.serialize(withoutRequest)));
    }

    @Test
    void indexesRevocationTargets() throws InvalidEntryException {
        LogEntry revoked = LogEntry.newBuilder()
                .setHeader(HEADER)
                .setRevoked(Revoked.newBuilder().setDelegationId("d-42"))
                .build();
        assertEquals(
                List.of(new IndexKey(IndexKey.Kind.TOKEN_ID, "d-42")),
                LogEntryIndexer.INSTANCE.keys(LogEntries.serialize(revoked)));
    }

    @Test
    void refusesWhatIsNotALogEntry() {
        assertThrows(InvalidEntryException.class, () -> LogEntryIndexer.INSTANCE.keys(new byte[] {1, 2, 3}));
        LogEntry headerOnly = LogEntry.newBuilder().setHeader(HEADER).build();
        assertThrows(InvalidEntryException.class, () -> LogEntryIndexer.INSTANCE.keys(headerOnly.toByteArray()));
    }
}
