package dev.agentledger.verifierclient.revocation;

import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every id of one presented credential that a revocation may name: the holder's SPIFFE ID, the
 * certificate serial, the token's {@code jti}, every delegation id of its chain, the agent
 * instance, the acting user. Check them all: a revocation of any one refuses the credential.
 *
 * @param spiffeIds SPIFFE IDs in URI form
 * @param serials certificate serials in hex (colons and leading zeros allowed)
 * @param tokenIds JWT ids
 * @param delegationIds delegation ids (a delegation id is also its token's {@code jti})
 * @param agentInstances agent instances
 * @param users users as {@code issuer#subject}
 */
public record CredentialIds(Set<String> spiffeIds, Set<String> serials, Set<String> tokenIds, Set<String> delegationIds,
        Set<String> agentInstances, Set<String> users) {
    /** Copies the sets. */
    public CredentialIds {
        spiffeIds = Set.copyOf(spiffeIds);
        serials = Set.copyOf(serials);
        tokenIds = Set.copyOf(tokenIds);
        delegationIds = Set.copyOf(delegationIds);
        agentInstances = Set.copyOf(agentInstances);
        users = Set.copyOf(users);
    }

    /** No ids; add them with the {@code with} methods. */
    public static CredentialIds none() {
        return new CredentialIds(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
    }

    /** With one more SPIFFE ID. */
    public CredentialIds withSpiffeId(String id) {
        return new CredentialIds(plus(spiffeIds, id), serials, tokenIds, delegationIds, agentInstances, users);
    }

    /** With one more serial (hex). */
    public CredentialIds withSerial(String hex) {
        return new CredentialIds(spiffeIds, plus(serials, hex), tokenIds, delegationIds, agentInstances, users);
    }

    /** With one more token id. */
    public CredentialIds withTokenId(String jti) {
        return new CredentialIds(spiffeIds, serials, plus(tokenIds, jti), delegationIds, agentInstances, users);
    }

    /** With the delegation ids of a chain. */
    public CredentialIds withDelegations(List<String> chain) {
        Set<String> all = new LinkedHashSet<>(delegationIds);
        all.addAll(chain);
        return new CredentialIds(spiffeIds, serials, tokenIds, all, agentInstances, users);
    }

    /** With one more agent instance. */
    public CredentialIds withAgentInstance(String instance) {
        return new CredentialIds(spiffeIds, serials, tokenIds, delegationIds, plus(agentInstances, instance), users);
    }

    /** With one more user. */
    public CredentialIds withUser(String issuer, String subject) {
        return new CredentialIds(spiffeIds, serials, tokenIds, delegationIds, agentInstances, plus(users, user(issuer, subject)));
    }

    /** A user as the {@code users} set holds it: {@code issuer#subject}. */
    public static String user(String issuer, String subject) {
        return issuer + "#" + subject;
    }

    /** The lookup keys of these ids, as {@link RevokedIds} stores them. */
    Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        spiffeIds.forEach(id -> keys.add(RevokedIds.spiffeKey(id)));
        serials.forEach(hex -> keys.add(RevokedIds.serialKey(serialHex(hex))));
        tokenIds.forEach(id -> keys.add(RevokedIds.jtiKey(id)));
        delegationIds.forEach(id -> keys.add(RevokedIds.jtiKey(id)));
        agentInstances.forEach(id -> keys.add(RevokedIds.instanceKey(id)));
        users.forEach(id -> keys.add(RevokedIds.userKey(id)));
        return keys;
    }

    private static String serialHex(String hex) {
        try {
            return new BigInteger(hex.replace(":", "").toLowerCase(Locale.ROOT), 16).toString(16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("serial \"" + hex + "\" is not hexadecimal");
        }
    }

    private static Set<String> plus(Set<String> set, String value) {
        Set<String> copy = new LinkedHashSet<>(set);
        copy.add(value);
        return copy;
    }
}
