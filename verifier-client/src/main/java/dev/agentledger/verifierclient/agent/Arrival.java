package dev.agentledger.verifierclient.agent;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.svid.X509SvidVerifier;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The checks an X509-SVID passes on arrival, before the agent uses it: it is for the agent's own
 * key, it follows the SPIFFE X509-SVID rules against the trust bundle, it names the SPIFFE ID the
 * agent expected, and the log entry at the proven index records exactly this certificate and is
 * included (RFC 9162 section 2.1.3) in a checkpoint signed by the pinned log key.
 */
final class Arrival {
    private Arrival() {}

    /** Fetches what the checks need from the authority's public API. */
    interface PublicReads {
        /** The trust bundle document ({@code GET /api/v1/bundle}). */
        String bundle() throws AgentException;

        /** The bytes of log entry {@code index} ({@code GET /api/v1/entries/<index>}). */
        byte[] entry(long index) throws AgentException;
    }

    /**
     * The verified SVID of an answer of {@code POST /api/v1/join} or {@code POST /api/v1/svids/x509}.
     *
     * @throws AgentException ({@code UNVERIFIED}) naming the first check that fails
     */
    static Arrived verify(Map<String, Object> answer, KeyPair key, SpiffeId expected, LogVerifier log, String trustDomain,
            PublicReads reads, Instant now) throws AgentException {
        try {
            List<X509Certificate> chain = certificates(answer.get("certificate_chain"));
            X509Certificate leaf = chain.get(0);
            if (!leaf.getPublicKey().equals(key.getPublic())) {
                throw new VerificationException("the SVID is for another key than the one this agent made");
            }
            SpiffeBundle bundle = SpiffeBundle.parse(reads.bundle(), trustDomain);
            List<X509Certificate> path = new ArrayList<>(chain);
            path.removeIf(bundle.x509Authorities()::contains);
            VerifiedX509Svid verified = X509SvidVerifier.verify(path, bundle, now);
            if (!verified.spiffeId().equals(expected)) {
                throw new VerificationException("the SVID names " + verified.spiffeId() + ", want " + expected);
            }
            return requireLogged(answer, verified, chain, key, log, reads, bundle);
        } catch (VerificationException | GeneralSecurityException | RuntimeException e) {
            throw new AgentException(AgentException.Reason.UNVERIFIED, "refusing the SVID that arrived: " + e.getMessage(), e);
        }
    }

    private static Arrived requireLogged(Map<String, Object> answer, VerifiedX509Svid verified, List<X509Certificate> chain,
            KeyPair key, LogVerifier log, PublicReads reads, SpiffeBundle bundle) throws VerificationException, AgentException {
        X509Certificate leaf = chain.get(0);
        Map<String, Object> proof = object(answer.get("proof"), "proof");
        long index = number(proof.get("index"), "proof.index");
        Hash leafHash = Hash.fromBase64(string(proof.get("leaf_hash"), "proof.leaf_hash"));
        byte[] entry = reads.entry(index);
        SvidEntry.requireRecords(entry, index, leafHash, leaf);
        Map<String, Object> inclusion = object(proof.get("inclusion_proof"), "proof.inclusion_proof");
        List<byte[]> hashes = new ArrayList<>();
        for (Object hash : list(inclusion.get("hashes"), "proof.inclusion_proof.hashes")) {
            hashes.add(Base64.getDecoder().decode(string(hash, "an inclusion proof hash")));
        }
        InclusionProof path = InclusionProof.parse(number(inclusion.get("index"), "proof.inclusion_proof.index"),
                number(inclusion.get("tree_size"), "proof.inclusion_proof.tree_size"), hashes);
        // The log's signature is required; witness cosignatures lag issuance by design (see WitnessLagPolicy).
        VerifiedCheckpoint checkpoint = log.open(string(proof.get("checkpoint"), "proof.checkpoint").getBytes(StandardCharsets.UTF_8));
        log.verifyInclusion(leafHash, index, path, checkpoint);
        return new Arrived(new Svid(verified.spiffeId(), chain, key.getPrivate(), index, leafHash, checkpoint, path), bundle);
    }

    /** A verified SVID and the trust bundle it was verified against. */
    record Arrived(Svid svid, SpiffeBundle bundle) {}

    private static List<X509Certificate> certificates(Object value) throws GeneralSecurityException, VerificationException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object item : list(value, "certificate_chain")) {
            certificates.add((X509Certificate) factory.generateCertificate(
                    new ByteArrayInputStream(Base64.getDecoder().decode(string(item, "a certificate")))));
        }
        if (certificates.isEmpty()) {
            throw new VerificationException("the answer's certificate_chain is empty");
        }
        return certificates;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String name) throws VerificationException {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new VerificationException(name + " is missing or not a JSON object");
    }

    static List<?> list(Object value, String name) throws VerificationException {
        if (value instanceof List<?> items) {
            return items;
        }
        throw new VerificationException(name + " is missing or not a JSON array");
    }

    static String string(Object value, String name) throws VerificationException {
        if (value instanceof String text) {
            return text;
        }
        throw new VerificationException(name + " is missing or not a JSON string");
    }

    static long number(Object value, String name) throws VerificationException {
        if (value instanceof Long number) {
            return number;
        }
        throw new VerificationException(name + " is missing or not a JSON integer");
    }
}
