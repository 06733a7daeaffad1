package dev.agentledger.revocation;

import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.proto.Serials;
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
import java.util.Arrays;
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
 * <p>Lean per credential, since it holds every unexpired one (rate times lifetime: hundreds of
 * thousands): a credential is one node in an open-addressing table, its id as bytes (a serial as
 * its two's complement octets); each SPIFFE ID, agent instance, user and parent delegation id is
 * held once, in a group shared by the credentials naming it, whose members are chained through
 * the nodes themselves (no set per key, no entry object per member).
 *
 * <p>Not thread-safe: the feed calls it under its lock.
 */
final class DerivationIndex {
    /** The credentials the index tracks; a registration ties an agent instance to its SPIFFE ID. */
    enum Kind { DELEGATION, CAPABILITY_TOKEN, JWT_SVID, X509_SVID, REGISTRATION }

    /**
     * A newly indexed credential: until when it is valid, and what covers it (the targets naming it),
     * worked out only when asked: the feed asks only while some revocation is active, and the targets
     * cost more than indexing the credential.
     */
    final class Added {
        private final Node node;

        private Added(Node node) {
            this.node = node;
        }

        /** The targets naming the credential or what it derives from, as the index stands: ask before the next change. */
        List<Target> coveredBy() {
            return DerivationIndex.this.coveredBy(node);
        }

        /** The credential's last valid instant. */
        long notAfter() {
            return node.notAfter;
        }
    }

    /** The ids a target covers and the last instant any of the credentials among them is valid. */
    record Expansion(AffectedIds ids, long latestNotAfter) {}

    /** How a credential hangs off a key: each node is in at most one group of each. */
    private enum Link { PARENT, SUBJECT, INSTANCE, USER }

    /** A credential read from an entry, before it is linked; a registration has no id of its own. */
    private record Draft(Kind kind, String id, long notAfter, String parent, String subject, String instance,
            String user) {}

    private static final int MAX_DEPTH = 64;

    private final Table nodes = new Table();
    private final Map<String, Group> parents = new HashMap<>();
    private final Map<String, Group> subjects = new HashMap<>();
    private final Map<String, Group> instances = new HashMap<>();
    private final Map<String, Group> users = new HashMap<>();
    private final PriorityQueue<Node> byExpiry = new PriorityQueue<>(Comparator.comparingLong(node -> node.notAfter));

    /** Indexes {@code entry} if it issues a credential; returns what covers it, or null. */
    Added add(LogEntry entry) {
        Draft draft = switch (entry.getEventCase()) {
            case X509_SVID_ISSUED -> x509(entry.getX509SvidIssued());
            case JWT_SVID_ISSUED -> jwt(entry.getJwtSvidIssued());
            case DELEGATION_GRANTED -> delegation(entry.getDelegationGranted());
            case CAPABILITY_TOKEN_ISSUED -> token(entry.getCapabilityTokenIssued());
            case WORKLOAD_REGISTERED -> registration(entry.getWorkloadRegistered());
            default -> null;
        };
        if (draft == null) {
            return null;
        }
        byte[] id = draft.id() == null ? null : encode(draft.kind(), draft.id());
        Node previous = nodes.find(draft.kind(), id, draft.instance(), draft.subject());
        if (previous != null) {
            nodes.remove(previous);
            unlink(previous);
        }
        Node node = new Node(draft.kind(), id, draft.notAfter(), group(parents, draft.parent()),
                group(subjects, draft.subject()), group(instances, draft.instance()), group(users, draft.user()));
        link(node);
        nodes.insert(node);
        byExpiry.add(node);
        return new Added(node);
    }

    /** Forgets every credential whose validity ended before {@code nowMillis}. */
    void prune(long nowMillis) {
        while (!byExpiry.isEmpty() && byExpiry.peek().notAfter < nowMillis) {
            Node node = byExpiry.poll();
            // A node replaced by a later entry for the same credential left the table already.
            if (nodes.find(node.kind, node.id, key(node.instance), key(node.subject)) == node) {
                nodes.remove(node);
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
                notAfterOf(Kind.JWT_SVID, target.value(), out);
                notAfterOf(Kind.CAPABILITY_TOKEN, target.value(), out);
                if (find(Kind.DELEGATION, target.value()) != null) {
                    delegationTarget(target.value(), cascade, out);
                }
            }
            case SERIAL -> {
                out.add(Kind.X509_SVID, target.value());
                notAfterOf(Kind.X509_SVID, target.value(), out);
            }
            case SPIFFE_ID -> {
                out.spiffeIds.add(target.value());
                issuedTo(target.value(), cascade, true, out);
            }
            case AGENT_INSTANCE -> {
                out.agentInstances.add(target.value());
                for (Node node = first(instances, target.value()); node != null; node = node.next(Link.INSTANCE)) {
                    out.take(node);
                    if (cascade && node.kind == Kind.REGISTRATION && node.subject != null) {
                        issuedTo(node.subject.key, true, false, out);
                    }
                }
            }
            case USER -> {
                for (Node root = first(users, target.value()); root != null; root = root.next(Link.USER)) {
                    out.take(root);
                    if (cascade) {
                        descend(decode(root.kind, root.id), out);
                    }
                }
            }
        }
        return new Expansion(out.build(), out.latestNotAfter);
    }

    /** A delegation target: the delegation, and with cascade everything below it. */
    private void delegationTarget(String id, boolean cascade, Collector out) {
        out.add(Kind.DELEGATION, id);
        notAfterOf(Kind.DELEGATION, id, out);
        if (cascade) {
            descend(id, out);
        }
    }

    /** The credentials issued to a SPIFFE ID (SVIDs only when {@code svids}), and with cascade what is below them. */
    private void issuedTo(String spiffeId, boolean cascade, boolean svids, Collector out) {
        for (Node node = first(subjects, spiffeId); node != null; node = node.next(Link.SUBJECT)) {
            boolean svid = node.kind == Kind.X509_SVID || node.kind == Kind.JWT_SVID || node.kind == Kind.REGISTRATION;
            if (svid && !svids) {
                continue;
            }
            out.take(node);
            if (cascade && node.kind == Kind.DELEGATION) {
                descend(decode(node.kind, node.id), out);
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
            for (Node child = first(parents, pending.poll()); child != null; child = child.next(Link.PARENT)) {
                out.take(child);
                if (child.kind == Kind.DELEGATION) {
                    String id = decode(child.kind, child.id);
                    if (seen.add(id)) {
                        pending.add(id);
                    }
                }
            }
        }
    }

    private void notAfterOf(Kind kind, String id, Collector out) {
        Node node = find(kind, id);
        if (node != null) {
            out.latestNotAfter = Math.max(out.latestNotAfter, node.notAfter);
        }
    }

    /** The credential of {@code kind} (not a registration) with {@code id}, or null. */
    private Node find(Kind kind, String id) {
        byte[] encoded;
        try {
            encoded = encode(kind, id);
        } catch (NumberFormatException e) {
            return null; // Not a serial in hex: no certificate has it.
        }
        return nodes.find(kind, encoded, null, null);
    }

    /** The targets that name {@code node} or something it derives from (its delegation chain included). */
    private List<Target> coveredBy(Node node) {
        List<Target> targets = new ArrayList<>();
        switch (node.kind) {
            case X509_SVID -> targets.add(Target.serial(decode(node.kind, node.id)));
            case JWT_SVID, CAPABILITY_TOKEN -> targets.add(Target.tokenId(decode(node.kind, node.id)));
            case DELEGATION -> {
                String id = decode(node.kind, node.id);
                targets.add(Target.delegation(id));
                targets.add(Target.tokenId(id));
            }
            case REGISTRATION -> { }
        }
        tryAdd(targets, Target.Kind.SPIFFE_ID, key(node.subject));
        tryAdd(targets, Target.Kind.AGENT_INSTANCE, key(node.instance));
        tryAdd(targets, Target.Kind.USER, key(node.user));
        String parent = key(node.parent);
        for (int depth = 0; parent != null && depth < MAX_DEPTH; depth++) {
            targets.add(Target.delegation(parent));
            targets.add(Target.tokenId(parent));
            Node up = find(Kind.DELEGATION, parent);
            parent = up == null ? null : key(up.parent);
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

    /** The group of {@code key} in {@code groups}, made if absent; null for a null key. */
    private static Group group(Map<String, Group> groups, String key) {
        return key == null ? null : groups.computeIfAbsent(key, Group::new);
    }

    private static String key(Group group) {
        return group == null ? null : group.key;
    }

    /** The first member of the group of {@code key}, or null. */
    private static Node first(Map<String, Group> groups, String key) {
        Group group = groups.get(key);
        return group == null ? null : group.first;
    }

    private void link(Node node) {
        for (Link link : Link.values()) {
            Group group = node.group(link);
            if (group != null) {
                group.references++;
                if (member(node, link)) {
                    node.setPrevious(link, group.last);
                    if (group.last == null) {
                        group.first = node;
                    } else {
                        group.last.setNext(link, node);
                    }
                    group.last = node;
                }
            }
        }
    }

    private void unlink(Node node) {
        for (Link link : Link.values()) {
            Group group = node.group(link);
            if (group == null) {
                continue;
            }
            if (member(node, link)) {
                Node previous = node.previous(link);
                Node next = node.next(link);
                if (previous == null) {
                    group.first = next;
                } else {
                    previous.setNext(link, next);
                }
                if (next == null) {
                    group.last = previous;
                } else {
                    next.setPrevious(link, previous);
                }
                node.setPrevious(link, null);
                node.setNext(link, null);
            }
            if (--group.references == 0) {
                groups(link).remove(group.key);
            }
        }
    }

    /** Whether {@code node} is listed in its group of {@code link}: a user lists only the root delegations they granted. */
    private static boolean member(Node node, Link link) {
        return link != Link.USER || (node.kind == Kind.DELEGATION && node.parent == null);
    }

    private Map<String, Group> groups(Link link) {
        return switch (link) {
            case PARENT -> parents;
            case SUBJECT -> subjects;
            case INSTANCE -> instances;
            case USER -> users;
        };
    }

    /** The stored form of an id: a serial (hex) as its two's complement octets, anything else as UTF-8. */
    private static byte[] encode(Kind kind, String id) {
        return kind == Kind.X509_SVID ? Serials.octets(id) : id.getBytes(StandardCharsets.UTF_8);
    }

    private static String decode(Kind kind, byte[] id) {
        return kind == Kind.X509_SVID ? Serials.hex(UnsafeByteOperations.unsafeWrap(id)) : new String(id, StandardCharsets.UTF_8);
    }

    private static Draft x509(X509SvidIssued svid) {
        if (svid.getSerial().isEmpty()) {
            return null;
        }
        return new Draft(Kind.X509_SVID, Target.serialHex(svid.getSerial()), notAfter(svid.getValidity()), null,
                nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null);
    }

    private static Draft jwt(JwtSvidIssued svid) {
        return svid.getTokenId().isEmpty() ? null : new Draft(Kind.JWT_SVID, svid.getTokenId(), notAfter(svid.getValidity()),
                null, nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null);
    }

    private static Draft delegation(DelegationGranted granted) {
        if (granted.getDelegationId().isEmpty()) {
            return null;
        }
        return new Draft(Kind.DELEGATION, granted.getDelegationId(), notAfter(granted.getValidity()),
                nonEmpty(granted.getParentDelegationId()), nonEmpty(granted.getDelegateSpiffeId()), null,
                Target.userKey(granted.getActingUser()));
    }

    private static Draft token(CapabilityTokenIssued issued) {
        return issued.getTokenId().isEmpty() ? null : new Draft(Kind.CAPABILITY_TOKEN, issued.getTokenId(),
                notAfter(issued.getValidity()), nonEmpty(issued.getDelegationId()), nonEmpty(issued.getSubjectSpiffeId()),
                null, Target.userKey(issued.getActingUser()));
    }

    private static Draft registration(WorkloadRegistered registered) {
        if (registered.getAgentInstance().isEmpty() || registered.getSpiffeId().isEmpty()) {
            return null;
        }
        long expires = registered.getExpiresUnixMillis() == 0 ? Long.MAX_VALUE : registered.getExpiresUnixMillis();
        return new Draft(Kind.REGISTRATION, null, expires, null, registered.getSpiffeId(), registered.getAgentInstance(),
                Target.userKey(registered.getActingUser()));
    }

    /** The last valid instant; an unset end never expires. */
    private static long notAfter(Validity validity) {
        return validity.getNotAfterUnixMillis() == 0 ? Long.MAX_VALUE : validity.getNotAfterUnixMillis();
    }

    private static String nonEmpty(String value) {
        return value.isEmpty() ? null : value;
    }

    /** A key shared by the credentials naming it, held once, with its members in the order they were added. */
    private static final class Group {
        final String key;
        /** How many nodes name this key; the group leaves its map at zero. */
        int references;
        Node first;
        Node last;

        Group(String key) {
            this.key = key;
        }
    }

    /**
     * One tracked credential: its kind, id and end, the groups it names (null when absent), and its
     * neighbours in each group's chain. A registration has no id: it is its instance and SPIFFE ID.
     */
    private static final class Node {
        final Kind kind;
        final byte[] id;
        final int hash;
        final long notAfter;
        final Group parent;
        final Group subject;
        final Group instance;
        final Group user;
        private Node parentPrevious;
        private Node parentNext;
        private Node subjectPrevious;
        private Node subjectNext;
        private Node instancePrevious;
        private Node instanceNext;
        private Node userPrevious;
        private Node userNext;

        Node(Kind kind, byte[] id, long notAfter, Group parent, Group subject, Group instance, Group user) {
            this.kind = kind;
            this.id = id;
            this.hash = Table.hash(kind, id, key(instance), key(subject));
            this.notAfter = notAfter;
            this.parent = parent;
            this.subject = subject;
            this.instance = instance;
            this.user = user;
        }

        Group group(Link link) {
            return switch (link) {
                case PARENT -> parent;
                case SUBJECT -> subject;
                case INSTANCE -> instance;
                case USER -> user;
            };
        }

        Node next(Link link) {
            return switch (link) {
                case PARENT -> parentNext;
                case SUBJECT -> subjectNext;
                case INSTANCE -> instanceNext;
                case USER -> userNext;
            };
        }

        Node previous(Link link) {
            return switch (link) {
                case PARENT -> parentPrevious;
                case SUBJECT -> subjectPrevious;
                case INSTANCE -> instancePrevious;
                case USER -> userPrevious;
            };
        }

        void setNext(Link link, Node node) {
            switch (link) {
                case PARENT -> parentNext = node;
                case SUBJECT -> subjectNext = node;
                case INSTANCE -> instanceNext = node;
                case USER -> userNext = node;
            }
        }

        void setPrevious(Link link, Node node) {
            switch (link) {
                case PARENT -> parentPrevious = node;
                case SUBJECT -> subjectPrevious = node;
                case INSTANCE -> instancePrevious = node;
                case USER -> userPrevious = node;
            }
        }
    }

    /**
     * Credentials by kind and id (a registration by instance and SPIFFE ID): open addressing with
     * linear probing, at most half full, deletion by shifting back the probe run (no tombstones).
     */
    private static final class Table {
        private Node[] slots = new Node[16];
        private int size;

        int size() {
            return size;
        }

        static int hash(Kind kind, byte[] id, String instance, String subject) {
            int h = id != null ? 31 * kind.ordinal() + Arrays.hashCode(id)
                    : (31 * kind.ordinal() + instance.hashCode()) * 31 + subject.hashCode();
            return h * 0x9E3779B9; // Fibonacci hashing: spreads the low bits the mask keeps
        }

        /** The node of {@code kind} with {@code id} (for a registration: {@code instance} and {@code subject}), or null. */
        Node find(Kind kind, byte[] id, String instance, String subject) {
            int mask = slots.length - 1;
            for (int i = home(hash(kind, id, instance, subject), mask); ; i = (i + 1) & mask) {
                Node node = slots[i];
                if (node == null) {
                    return null;
                }
                if (node.kind == kind && (id != null ? Arrays.equals(node.id, id)
                        : node.instance.key.equals(instance) && node.subject.key.equals(subject))) {
                    return node;
                }
            }
        }

        /** Adds {@code node}; requires that no node with its kind and id is present. */
        void insert(Node node) {
            if (2 * (size + 1) > slots.length) {
                Node[] old = slots;
                slots = new Node[old.length * 2];
                for (Node n : old) {
                    if (n != null) {
                        place(n);
                    }
                }
            }
            place(node);
            size++;
        }

        private void place(Node node) {
            int mask = slots.length - 1;
            int i = home(node.hash, mask);
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = node;
        }

        /** Removes {@code node} (this very object); requires it to be present. */
        void remove(Node node) {
            int mask = slots.length - 1;
            int hole = home(node.hash, mask);
            while (slots[hole] != node) {
                hole = (hole + 1) & mask;
            }
            // Move back every later node of the run whose home is not between the hole and itself.
            for (int i = (hole + 1) & mask; slots[i] != null; i = (i + 1) & mask) {
                int home = home(slots[i].hash, mask);
                boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
                if (!stays) {
                    slots[hole] = slots[i];
                    hole = i;
                }
            }
            slots[hole] = null;
            size--;
        }

        private static int home(int hash, int mask) {
            return (hash ^ (hash >>> 16)) & mask;
        }
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
            latestNotAfter = Math.max(latestNotAfter, node.notAfter);
            if (node.kind != Kind.REGISTRATION) {
                add(node.kind, decode(node.kind, node.id));
            }
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
