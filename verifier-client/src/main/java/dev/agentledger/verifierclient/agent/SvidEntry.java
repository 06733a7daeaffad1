package dev.agentledger.verifierclient.agent;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/** What a proof of an X509-SVID's logging must name: the entry that records exactly that certificate. */
public final class SvidEntry {
    private SvidEntry() {}

    /**
     * Requires {@code entry} (entry {@code index} of the log) to hash to {@code leaf} (RFC 9162
     * section 2.1.1) and to be an {@code X509SvidIssued} entry whose certificate DER is exactly
     * {@code svid}'s.
     *
     * @throws VerificationException naming the first requirement that fails
     */
    public static void requireRecords(byte[] entry, long index, Hash leaf, X509Certificate svid) throws VerificationException {
        if (!Rfc6962.hashLeaf(entry).equals(leaf)) {
            throw new VerificationException("entry " + index + " does not hash to the leaf hash given");
        }
        LogEntry parsed;
        try {
            parsed = LogEntries.parse(entry);
        } catch (MalformedEntryException e) {
            throw new VerificationException("entry " + index + " does not parse: " + e.getMessage(), e);
        }
        if (!parsed.hasX509SvidIssued()) {
            throw new VerificationException("entry " + index + " is a " + parsed.getEventCase() + " entry, want X509_SVID_ISSUED");
        }
        try {
            if (!Arrays.equals(parsed.getX509SvidIssued().getCertificateDer().toByteArray(), svid.getEncoded())) {
                throw new VerificationException("entry " + index + " records another certificate, not this SVID");
            }
        } catch (CertificateEncodingException e) {
            throw new VerificationException("the SVID does not encode: " + e.getMessage(), e);
        }
    }
}
