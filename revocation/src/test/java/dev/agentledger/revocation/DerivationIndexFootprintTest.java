package dev.agentledger.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The heap the derivation index holds per live credential, with entries shaped as the server logs
 * them (128-bit base64url token ids, 128-bit serials, one SPIFFE ID and agent instance per
 * registration, a few agents and delegations): the index is filled with 100,000 credentials and
 * the heap compared after a full collection before and after. Each bound is about a third above
 * what the index holds now (124 bytes per capability token, 220 per registration or X509-SVID,
 * in pages of parallel arrays) and far under what it held with a set per key and a string per
 * field (479 and 647).
 */
class DerivationIndexFootprintTest {
    private static final int CREDENTIALS = 100_000;
    private static final long HOUR = 3_600_000;
    private static final String TD = "spiffe://agentledger.local";
    private static final User ALICE = User.newBuilder().setIssuer(TD).setSubject(TD + "/user/alice").build();
    private static final int AGENTS = 8;

    @Test
    void capabilityTokensTakeLittleHeapEach() {
        Random random = new Random(1);
        DerivationIndex index = new DerivationIndex();
        String[] delegations = new String[AGENTS];
        for (int a = 0; a < AGENTS; a++) {
            delegations[a] = id(random);
            index.add(entry(LogEntry.newBuilder().setDelegationGranted(DelegationGranted.newBuilder()
                    .setDelegationId(delegations[a]).setActingUser(ALICE).setDelegateSpiffeId(agent(a))
                    .setValidity(TestLog.validity(TestLog.START.toEpochMilli() + HOUR)))));
        }
        long before = heapAfterGc();
        for (int i = 0; i < CREDENTIALS; i++) {
            int a = random.nextInt(AGENTS);
            index.add(entry(LogEntry.newBuilder().setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder()
                    .setTokenId(id(random)).setDelegationId(delegations[a]).setActingUser(ALICE).setSubjectSpiffeId(agent(a))
                    .setAction("invoices:read").setResource(TD + "/tool/billing").setSingleUse(true)
                    .setValidity(TestLog.validity(TestLog.START.toEpochMilli() + 30_000)))));
        }
        long perCredential = (heapAfterGc() - before) / CREDENTIALS;
        report("capability token", perCredential);
        assertEquals(CREDENTIALS + AGENTS, index.size());
        assertTrue(perCredential < 165, perCredential + " bytes per capability token, want under 165");
    }

    @Test
    void registrationsAndTheirSvidsTakeLittleHeapEach() {
        Random random = new Random(2);
        DerivationIndex index = new DerivationIndex();
        long before = heapAfterGc();
        for (int i = 0; i < CREDENTIALS / 2; i++) {
            String instance = id(random);
            String spiffeId = TD + "/agent/load/" + instance;
            index.add(entry(LogEntry.newBuilder().setWorkloadRegistered(WorkloadRegistered.newBuilder()
                    .setAgentInstance(instance).setSpiffeId(spiffeId).setActingUser(ALICE).setAgentName("load")
                    .setExpiresUnixMillis(TestLog.START.toEpochMilli() + HOUR))));
            index.add(entry(LogEntry.newBuilder().setX509SvidIssued(X509SvidIssued.newBuilder()
                    .setSerial(ByteString.copyFrom(new BigInteger(128, random).setBit(127).toByteArray()))
                    .setSpiffeId(spiffeId).setAgentInstance(instance)
                    .setValidity(TestLog.validity(TestLog.START.toEpochMilli() + HOUR)))));
        }
        long perCredential = (heapAfterGc() - before) / CREDENTIALS;
        report("registration or X509-SVID", perCredential);
        assertEquals(CREDENTIALS, index.size());
        assertTrue(perCredential < 290, perCredential + " bytes per registration or SVID, want under 290");
    }

    private static LogEntry entry(LogEntry.Builder builder) {
        return builder.setHeader(TestLog.header()).build();
    }

    /** A fresh SPIFFE ID string per call, as a parsed log entry gives. */
    private static String agent(int a) {
        return new StringBuilder(TD).append("/agent/worker-").append(a).toString();
    }

    /** 128 random bits, base64url without padding: the issuer's token and delegation ids. */
    private static String id(Random random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Collect until the figure settles: a full collection can leave work for the next one.
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return used;
            }
            used = now;
        }
        return used;
    }

    private static void report(String kind, long bytes) {
        System.out.printf(Locale.ROOT, "derivation index: %d bytes per %s (%,d credentials)%n", bytes, kind, CREDENTIALS);
    }
}
