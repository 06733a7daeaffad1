package dev.agentledger.revocation;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A log with a fixed test key, a hand-moved clock and revocations over it; helpers append issuance entries. */
final class TestLog implements AutoCloseable {
    static final String ORIGIN = "test.agentledger.local/log";
    static final Instant START = Instant.parse("2026-11-20T10:00:00Z");
    static final User ALICE = User.newBuilder().setIssuer("https://idp.example").setSubject("alice").build();
    static final User BOB = User.newBuilder().setIssuer("https://idp.example").setSubject("bob").build();
    private static final SignerKey KEY = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);

    final Path directory;
    final TestClock clock;
    final RevocationsConfig config;
    Ledger ledger;
    Revocations revocations;

    TestLog(Path directory, RevocationsConfig config, TestClock clock) {
        this.directory = directory;
        this.clock = clock;
        this.config = config;
        open();
    }

    TestLog(Path directory) {
        this(directory, new TestClock(START));
    }

    TestLog(Path directory, TestClock clock) {
        this(directory, RevocationsConfig.of(clock), clock);
    }

    /** Opens (or reopens) the log and the revocations over it, without the background schedule. */
    void open() {
        ledger = Ledger.open(LedgerConfig.of(directory, ORIGIN, Ed25519NoteSigner.create(KEY),
                Ed25519NoteVerifier.create(KEY.verifierKey())).withIndexer(LogEntryIndexer.INSTANCE));
        revocations = Revocations.open(ledger, config);
    }

    void restart() {
        close();
        open();
    }

    long append(LogEntry entry) throws Exception {
        return ledger.append(LogEntries.serialize(entry), false).get().index();
    }

    RevocationEvent revoke(Target target, boolean cascade) throws Exception {
        return revocations.revoke(new Revocation(target, RevocationReason.REVOCATION_REASON_KEY_COMPROMISE, "test",
                Optional.empty(), cascade, "spiffe://test.example/operator"), "req");
    }

    long until(Duration validFor) {
        return clock.millis() + validFor.toMillis();
    }

    static Header header() {
        return Header.newBuilder().setSchemaVersion(1).setTimeUnixMillis(START.toEpochMilli()).build();
    }

    static Validity validity(long notAfter) {
        return Validity.newBuilder().setNotBeforeUnixMillis(START.toEpochMilli()).setNotAfterUnixMillis(notAfter).build();
    }

    void delegation(String id, String parent, User user, String delegate, long notAfter) throws Exception {
        append(LogEntry.newBuilder().setHeader(header()).setDelegationGranted(DelegationGranted.newBuilder()
                .setDelegationId(id).setParentDelegationId(parent).setActingUser(user).setDelegateSpiffeId(delegate)
                .setChainDepth(parent.isEmpty() ? 1 : 2).setValidity(validity(notAfter))).build());
    }

    void token(String id, String delegation, User user, String subject, long notAfter) throws Exception {
        append(LogEntry.newBuilder().setHeader(header()).setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder()
                .setTokenId(id).setDelegationId(delegation).setActingUser(user).setSubjectSpiffeId(subject)
                .setAction("read").setResource("r").setSingleUse(true).setValidity(validity(notAfter))).build());
    }

    void x509(String serialHex, String spiffeId, String instance, long notAfter) throws Exception {
        append(LogEntry.newBuilder().setHeader(header()).setX509SvidIssued(X509SvidIssued.newBuilder()
                .setSerial(ByteString.copyFrom(new BigInteger(serialHex, 16).toByteArray())).setSpiffeId(spiffeId)
                .setAgentInstance(instance).setValidity(validity(notAfter))).build());
    }

    void jwt(String id, String spiffeId, String instance, long notAfter) throws Exception {
        append(LogEntry.newBuilder().setHeader(header()).setJwtSvidIssued(JwtSvidIssued.newBuilder()
                .setTokenId(id).setSpiffeId(spiffeId).setAgentInstance(instance).setValidity(validity(notAfter))).build());
    }

    void registration(String instance, String spiffeId, User user, long expires) throws Exception {
        append(LogEntry.newBuilder().setHeader(header()).setWorkloadRegistered(WorkloadRegistered.newBuilder()
                .setAgentInstance(instance).setSpiffeId(spiffeId).setActingUser(user).setAgentName("bot")
                .setExpiresUnixMillis(expires)).build());
    }

    /** Checks the event's entry is at its index in its checkpoint (RFC 9162 inclusion). */
    static void verifyProof(RevocationEvent event) throws VerificationException {
        event.proof().verify(Rfc6962.hashLeaf(event.entry().toByteArray()), event.checkpoint().checkpoint().root());
    }

    @Override
    public void close() {
        revocations.close();
        ledger.close();
    }
}
