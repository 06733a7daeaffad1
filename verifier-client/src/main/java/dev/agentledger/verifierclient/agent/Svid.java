package dev.agentledger.verifierclient.agent;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An X509-SVID the agent verified on arrival (SPIFFE rules, expected ID, its own key, logged in a
 * checkpoint signed by the log), with the private key made in this process.
 *
 * @param spiffeId the SVID's ID
 * @param chain the SVID and its CA, leaf first
 * @param key the private key (never sent anywhere)
 * @param logIndex the index of its {@code X509SvidIssued} entry
 * @param leafHash that entry's leaf hash (RFC 9162 section 2.1.1)
 * @param checkpoint the checkpoint it was proven in, verified against the pinned log key
 * @param inclusionProof the verified proof of the entry in that checkpoint
 */
public record Svid(SpiffeId spiffeId, List<X509Certificate> chain, PrivateKey key, long logIndex, Hash leafHash,
        VerifiedCheckpoint checkpoint, InclusionProof inclusionProof) {
    /** Copies the chain; requires a leaf. */
    public Svid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(leafHash, "leafHash");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(inclusionProof, "inclusionProof");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an SVID chain starts with its leaf");
        }
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** When the leaf's validity ends. */
    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /** The leaf's serial number in lower-case hex, as revocations name it. */
    public String serialHex() {
        return certificate().getSerialNumber().toString(16);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "Svid[" + spiffeId + ", serial " + serialHex() + ", not after " + notAfter() + ", log index " + logIndex + "]";
    }
}
