package dev.agentledger.issuer.policy;

import dev.agentledger.merkle.Hash;
import java.util.Objects;

/**
 * A published version of a policy set, as its {@code PolicyPublished} entry records it.
 *
 * @param policyId the policy set's id
 * @param version the version number, from 1
 * @param sha256 SHA-256 of the policy text's UTF-8 bytes
 */
public record PolicyVersion(String policyId, long version, Hash sha256) {
    /** Requires every part and a version from 1. */
    public PolicyVersion {
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(sha256, "sha256");
        if (version < 1) {
            throw new IllegalArgumentException("version " + version + " is not positive");
        }
    }
}
