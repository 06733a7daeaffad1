package dev.agentledger.revocation;

import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * What derives from what, read from the log's issuance entries as they are appended: delegations
 * under their parent delegation, capability tokens under their delegation, SVIDs and tokens under
 * the SPIFFE ID they were issued to, SVIDs under their agent instance, root delegations under the
 * user who granted them. Credentials leave the index once expired (they can no longer be
 * presented); a parent's list of children stays while a child lives, so a cascade still reaches
 * children that outlive their parent.
 *
 * <p>Not thread-safe: the feed calls it under its lock.
 */
final class DerivationIndex {
    /** The credentials the index tracks; a registration ties an agent instance to its SPIFFE ID. */
    enum Kind { DELEGATION, CAPABILITY_TOKEN, JWT_SVID, X509_SVID, REGISTRATION }

    /** A credential by kind and id (a serial in hex; a registration as {@code instance spiffe-id}). */
    record Ref(Kind kind, String id) {}

    /** One tracked credential and what it hangs off; null links are absent. */
    private record Node(Ref ref, long notAfter, String parent, String subject, String instance, String user,
            boolean root) {}

    /** What a newly indexed credential is covered by (targets naming it) and until when it is valid. */
    record Added(List<Target> coveredBy, long notAfter) {}

    /** The ids a target covers and the last instant any of the credentials among them is valid. */
    record Expansion(AffectedIds ids, long latestNotAfter) {}

    private static final int MAX_DEPTH = 64;

    private final Map<Ref, Node> nodes = new HashMap<>();
    private final Map<String, Set<Ref>> children = new HashMap<>();
    private final Map<String, Set<Ref>> bySpiffeId = new HashMap<>();
    private final Map<String, Set<Ref>> byInstance = new HashMap<>();
    private final Map<String, Set<Ref>> rootsByUser = new HashMap<>();
    private final PriorityQueue<Node> byExpiry = new PriorityQueue<>(Comparator.comparingLong(Node::notAfter));

    /** Indexes {@code entry} if it issues a credential; returns what covers it, or null. */
    Added add(LogEntry entry) {
        Node node = switch (entry.getEventCase()) {
            case X509_SVID_ISSUED -> x509(entry.getX509SvidIssued());
            case JWT_SVID_ISSUED -> jwt(entry.getJwtSvidIssued());
            case DELEGATION_GRANTED -> delegation(entry.getDelegationGranted());
            case CAPABILITY_TOKEN_ISSUED -> token(entry.getCapabilityTokenIssued());
            case WORKLOAD_REGISTERED -> registration(entry.getWorkloadRegistered());
            default -> null;
        };
        if (node == null) {
            return null;
        }
        Node previous = nodes.put(node.ref(), node);
        if (previous != null) {
            unlink(previous);
        }
        link(node);
        byExpiry.add(node);
        return new Added(coveredBy(node), node.notAfter());
    }

    /** Forgets every credential whose validity ended before {@code nowMillis}. */
    void prune(long nowMillis) {
        while (!byExpiry.isEmpty() && byExpiry.peek().notAfter() < nowMillis) {
            Node node = byExpiry.poll();
            if (nodes.get(node.ref()) == node) {
                nodes.remove(node.ref());
                unlink(node);
            }
        }
    }

    /** How many credentials are tracked. */
    int size() {
        return nodes.size();
    }

    /**
     * The ids {@code target} covers: the target itself; for a SPIFFE ID its SVIDs, the capability
     * tokens issued to it and the delegations granted to it; for an agent instance its SVIDs; for a
     * user the delegations they granted; with {@code cascade}, also every delegation below those at
     * any depth and every capability token issued under any of them (for an agent instance, what
     * was granted to its SPIFFE IDs). At most {@code maxBytes} bytes of ids are listed.
     */
    Expansion expand(Target target, boolean cascade, int maxBytes) {
        Collector out = new Collector(maxBytes);
        switch (target.kind()) {
            case DELEGATION -> delegationTarget(target.value(), cascade, out);
            case TOKEN_ID -> {
                out.add(Kind.JWT_SVID, target.value());
                notAfterOf(new Ref(Kind.JWT_SVID, target.value()), out);
                notAfterOf(new Ref(Kind.CAPABILITY_TOKEN, target.value()), out);
                if (nodes.containsKey(new Ref(Kind.DELEGATION, target.value()))) {
                    delegationTarget(target.value(), cascade, out);
                }
            }
            case SERIAL -> {
                out.add(Kind.X509_SVID, target.value());
                notAfterOf(new Ref(Kind.X509_SVID, target.value()), out);
            }
            case SPIFFE_ID -> {
                out.spiffeIds.add(target.value());
                issuedTo(target.value(), cascade, true, out);
            }
            case AGENT_INSTANCE -> {
                out.agentInstances.add(target.value());
                for (Ref ref : List.copyOf(byInstance.getOrDefault(target.value(), Set.of()))) {
                    Node node = nodes.get(ref);
                    out.take(node);
                    if (cascade && ref.kind() == Kind.REGISTRATION && node.subject() != null) {
                        issuedTo(node.subject(), true, false, out);
                    }
                }
            }
            case USER -> {
                for (Ref ref : rootsByUser.getOrDefault(target.value(), Set.of())) {
                    out.take(nodes.get(ref));
                    if (cascade) {
                        descend(ref.id(), out);
                    }
                }
            }
        }
        return new Expansion(out.build(), out.latestNotAfter);
    }

    /** A delegation target: the delegation, and with cascade everything below it. */
    private void delegationTarget(String id, boolean cascade, Collector out) {
        out.add(Kind.DELEGATION, id);
        notAfterOf(new Ref(Kind.DELEGATION, id), out);
        if (cascade) {
            descend(id, out);
        }
    }

    /** The credentials issued to a SPIFFE ID (SVIDs only when {@code svids}), and with cascade what is below them. */
    private void issuedTo(String spiffeId, boolean cascade, boolean svids, Collector out) {
        for (Ref ref : bySpiffeId.getOrDefault(spiffeId, Set.of())) {
            boolean svid = ref.kind() == Kind.X509_SVID || ref.kind() == Kind.JWT_SVID || ref.kind() == Kind.REGISTRATION;
            if (svid && !svids) {
                continue;
            }
            out.take(nodes.get(ref));
            if (cascade && ref.kind() == Kind.DELEGATION) {
                descend(ref.id(), out);
            }
        }
    }

    /** Every delegation and capability token below delegation {@code root}, breadth first. */
    private void descend(String root, Collector out) {
        Deque<String> pending = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        pending.add(root);
        seen.add(root);
        while (!pending.isEmpty()) {
            String id = pending.poll();
            for (Ref child : children.getOrDefault(id, Set.of())) {
                out.take(nodes.get(child));
                if (child.kind() == Kind.DELEGATION && seen.add(child.id())) {
                    pending.add(child.id());
                }
            }
        }
    }

    private void notAfterOf(Ref ref, Collector out) {
        Node node = nodes.get(ref);
        if (node != null) {
            out.latestNotAfter = Math.max(out.latestNotAfter, node.notAfter());
        }
    }

    /** The targets that name {@code node} or something it derives from (its delegation chain included). */
    private List<Target> coveredBy(Node node) {
        List<Target> targets = new ArrayList<>();
        switch (node.ref().kind()) {
            case X509_SVID -> targets.add(Target.serial(node.ref().id()));
            case JWT_SVID, CAPABILITY_TOKEN -> targets.add(Target.tokenId(node.ref().id()));
            case DELEGATION -> {
                targets.add(Target.delegation(node.ref().id()));
                targets.add(Target.tokenId(node.ref().id()));
            }
            case REGISTRATION -> { }
        }
        tryAdd(targets, Target.Kind.SPIFFE_ID, node.subject());
        tryAdd(targets, Target.Kind.AGENT_INSTANCE, node.instance());
        tryAdd(targets, Target.Kind.USER, node.user());
        String parent = node.parent();
        for (int depth = 0; parent != null && depth < MAX_DEPTH; depth++) {
            targets.add(Target.delegation(parent));
            targets.add(Target.tokenId(parent));
            Node up = nodes.get(new Ref(Kind.DELEGATION, parent));
            parent = up == null ? null : up.parent();
        }
        return targets;
    }

    private static void tryAdd(List<Target> targets, Target.Kind kind, String value) {
        if (value != null) {
            try {
                targets.add(new Target(kind, value));
            } catch (IllegalArgumentException e) {
                // A malformed value in a logged entry names nothing a revocation could target.
            }
        }
    }

    private void link(Node node) {
        if (node.parent() != null) {
            children.computeIfAbsent(node.parent(), k -> new LinkedHashSet<>()).add(node.ref());
        }
        if (node.subject() != null) {
            bySpiffeId.computeIfAbsent(node.subject(), k -> new LinkedHashSet<>()).add(node.ref());
        }
        if (node.instance() != null) {
            byInstance.computeIfAbsent(node.instance(), k -> new LinkedHashSet<>()).add(node.ref());
        }
        if (node.root() && node.user() != null) {
            rootsByUser.computeIfAbsent(node.user(), k -> new LinkedHashSet<>()).add(node.ref());
        }
    }

    private void unlink(Node node) {
        remove(children, node.parent(), node.ref());
        remove(bySpiffeId, node.subject(), node.ref());
        remove(byInstance, node.instance(), node.ref());
        if (node.root()) {
            remove(rootsByUser, node.user(), node.ref());
        }
    }

    private static void remove(Map<String, Set<Ref>> map, String key, Ref ref) {
        if (key == null) {
            return;
        }
        Set<Ref> refs = map.get(key);
        if (refs != null && refs.remove(ref) && refs.isEmpty()) {
            map.remove(key);
        }
    }

    private static Node x509(X509SvidIssued svid) {
        if (svid.getSerial().isEmpty()) {
            return null;
        }
        return new Node(new Ref(Kind.X509_SVID, Target.serialHex(svid.getSerial())), notAfter(svid.getValidity()), null,
                nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null, false);
    }

    private static Node jwt(JwtSvidIssued svid) {
        return svid.getTokenId().isEmpty() ? null : new Node(new Ref(Kind.JWT_SVID, svid.getTokenId()),
                notAfter(svid.getValidity()), null, nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null,
                false);
    }

    private static Node delegation(DelegationGranted granted) {
        if (granted.getDelegationId().isEmpty()) {
            return null;
        }
        String parent = nonEmpty(granted.getParentDelegationId());
        return new Node(new Ref(Kind.DELEGATION, granted.getDelegationId()), notAfter(granted.getValidity()), parent,
                nonEmpty(granted.getDelegateSpiffeId()), null, Target.userKey(granted.getActingUser()), parent == null);
    }

    private static Node token(CapabilityTokenIssued issued) {
        return issued.getTokenId().isEmpty() ? null : new Node(new Ref(Kind.CAPABILITY_TOKEN, issued.getTokenId()),
                notAfter(issued.getValidity()), nonEmpty(issued.getDelegationId()), nonEmpty(issued.getSubjectSpiffeId()),
                null, Target.userKey(issued.getActingUser()), false);
    }

    private static Node registration(WorkloadRegistered registered) {
        if (registered.getAgentInstance().isEmpty() || registered.getSpiffeId().isEmpty()) {
            return null;
        }
        long expires = registered.getExpiresUnixMillis() == 0 ? Long.MAX_VALUE : registered.getExpiresUnixMillis();
        return new Node(new Ref(Kind.REGISTRATION, registered.getAgentInstance() + " " + registered.getSpiffeId()), expires,
                null, registered.getSpiffeId(), registered.getAgentInstance(), Target.userKey(registered.getActingUser()),
                false);
    }

    /** The last valid instant; an unset end never expires. */
    private static long notAfter(Validity validity) {
        return validity.getNotAfterUnixMillis() == 0 ? Long.MAX_VALUE : validity.getNotAfterUnixMillis();
    }

    private static String nonEmpty(String value) {
        return value.isEmpty() ? null : value;
    }

    /** Gathers ids by kind within a byte budget, and the latest expiry among the credentials taken. */
    private static final class Collector {
        final Set<String> spiffeIds = new LinkedHashSet<>();
        final Set<String> serials = new LinkedHashSet<>();
        final Set<String> tokenIds = new LinkedHashSet<>();
        final Set<String> delegationIds = new LinkedHashSet<>();
        final Set<String> agentInstances = new LinkedHashSet<>();
        long latestNotAfter = Long.MIN_VALUE;
        private int budget;
        private boolean truncated;

        Collector(int maxBytes) {
            this.budget = maxBytes;
        }

        void take(Node node) {
            if (node == null) {
                return;
            }
            latestNotAfter = Math.max(latestNotAfter, node.notAfter());
            add(node.ref().kind(), node.ref().id());
        }

        void add(Kind kind, String id) {
            Set<String> into = switch (kind) {
                case DELEGATION -> delegationIds;
                case CAPABILITY_TOKEN, JWT_SVID -> tokenIds;
                case X509_SVID -> serials;
                case REGISTRATION -> null;
            };
            if (into == null || into.contains(id)) {
                return;
            }
            int cost = id.getBytes(StandardCharsets.UTF_8).length + 2;
            // The target itself is always listed; what derives from it only within the budget.
            if (cost > budget && count() > 0) {
                truncated = true;
                return;
            }
            budget -= cost;
            into.add(id);
        }

        private int count() {
            return spiffeIds.size() + serials.size() + tokenIds.size() + delegationIds.size() + agentInstances.size();
        }

        AffectedIds build() {
            return new AffectedIds(spiffeIds, serials, tokenIds, delegationIds, agentInstances, truncated);
        }
    }
}
