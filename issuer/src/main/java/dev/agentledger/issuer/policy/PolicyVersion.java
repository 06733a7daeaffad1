package dev.agentledger.issuer.policy;

import dev.agentledger.merkle.Hash;
import java.util.Objects;

/**
 * A published version of a policy set, as its {@code PolicyPublished} entry records it.
 *
 * @param policyId the policy set's id
 * @param version the version number, from 1
 * @param sha256 SHA-256 of the policy text's UTF-8 bytes
 * @param publishedIndex the log index of the {@code PolicyPublished} entry
 */
public record PolicyVersion(String policyId, long version, Hash sha256, long publishedIndex) {
    /** Requires every part, a version from 1 and a non-negative index. */
    public PolicyVersion {
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(sha256, "sha256");
        if (version < 1 || publishedIndex < 0) {
            throw new IllegalArgumentException("version " + version + " or index " + publishedIndex + " out of range");
        }
    }
}
