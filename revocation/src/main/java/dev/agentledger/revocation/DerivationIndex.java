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
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * What derives from what, read from the log's issuance entries as they are appended: delegations
 * under their parent delegation, capability tokens under their delegation, SVIDs and tokens under
 * the SPIFFE ID they were issued to, SVIDs under their agent instance, root delegations under the
 * user who granted them. Credentials leave the index once expired (they can no longer be
 * presented); a parent's list of children stays while a child lives, so a cascade still reaches
 * children that outlive their parent.
 *
 * <p>Lean per credential, since it holds every unexpired one (rate times lifetime: millions at a
 * few thousand per second): a credential is a node number into parallel arrays holding its kind,
 * id as bytes (a serial as its two's complement octets), end, groups and neighbours; each SPIFFE
 * ID, agent instance, user and parent delegation id is held once, in a group shared by the
 * credentials naming it, whose members are chained through the node numbers (no set per key, no
 * object per member). Nodes and groups are found through open-addressing tables of numbers and
 * expire through a binary heap of numbers. So indexing a credential stores almost no reference
 * into an object made earlier (only its id and a new group's key, into arrays filled in order):
 * the collector's young pauses, which scan every old object written with a young reference, stay
 * short however large the index grows.
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
        private final int node;

        private Added(int node) {
            this.node = node;
        }

        /** The targets naming the credential or what it derives from, as the index stands: ask before the next change. */
        List<Target> coveredBy() {
            return DerivationIndex.this.coveredBy(node);
        }

        /** The credential's last valid instant. */
        long notAfter() {
            return nodes.notAfter(node);
        }
    }

    /** The ids a target covers and the last instant any of the credentials among them is valid. */
    record Expansion(AffectedIds ids, long latestNotAfter) {}

    /** How a credential hangs off a key: each node is in at most one group of each. */
    private enum Link { PARENT, SUBJECT, INSTANCE, USER }

    /**
     * A credential read from an entry, before it is linked: its id as the index holds it (see
     * {@link #encode}); a registration has no id of its own.
     */
    private record Draft(Kind kind, byte[] id, long notAfter, String parent, String subject, String instance,
            String user) {}

    private static final int MAX_DEPTH = 64;
    private static final Kind[] KINDS = Kind.values();
    private static final Link[] LINKS = Link.values();
    /** No node, no group. */
    private static final int NONE = -1;

    private final Nodes nodes = new Nodes();
    /** The groups of each link, by its ordinal. */
    private final Groups[] groups = {new Groups(), new Groups(), new Groups(), new Groups()};
    /** Nodes by kind and id (a registration by instance and SPIFFE ID). */
    private final Slots table = new Slots(nodes::hash);
    private final ExpiryHeap byExpiry = new ExpiryHeap(nodes);

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
        byte[] id = draft.id();
        int hash = hash(draft.kind(), id, draft.instance(), draft.subject());
        int previous = find(hash, draft.kind(), id, draft.instance(), draft.subject());
        if (previous != NONE) {
            forget(previous);
        }
        int node = nodes.add(draft.kind(), id, hash, draft.notAfter());
        join(node, Link.PARENT, draft.parent()); // before USER: a user lists only the root delegations
        join(node, Link.SUBJECT, draft.subject());
        join(node, Link.INSTANCE, draft.instance());
        join(node, Link.USER, draft.user());
        table.insert(node);
        byExpiry.add(node);
        return new Added(node);
    }

    /** Forgets every credential whose validity ended before {@code nowMillis}. */
    void prune(long nowMillis) {
        while (!byExpiry.isEmpty() && nodes.notAfter(byExpiry.first()) < nowMillis) {
            forget(byExpiry.first());
        }
    }

    /** How many credentials are tracked. */
    int size() {
        return table.size();
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
                if (find(Kind.DELEGATION, target.value()) != NONE) {
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
                for (int node = first(Link.INSTANCE, target.value()); node != NONE; node = nodes.next(node, Link.INSTANCE)) {
                    take(node, out);
                    String subject = key(node, Link.SUBJECT);
                    if (cascade && nodes.kind(node) == Kind.REGISTRATION && subject != null) {
                        issuedTo(subject, true, false, out);
                    }
                }
            }
            case USER -> {
                for (int root = first(Link.USER, target.value()); root != NONE; root = nodes.next(root, Link.USER)) {
                    take(root, out);
                    if (cascade) {
                        descend(decode(root), out);
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
        for (int node = first(Link.SUBJECT, spiffeId); node != NONE; node = nodes.next(node, Link.SUBJECT)) {
            Kind kind = nodes.kind(node);
            boolean svid = kind == Kind.X509_SVID || kind == Kind.JWT_SVID || kind == Kind.REGISTRATION;
            if (svid && !svids) {
                continue;
            }
            take(node, out);
            if (cascade && kind == Kind.DELEGATION) {
                descend(decode(node), out);
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
            for (int child = first(Link.PARENT, pending.poll()); child != NONE; child = nodes.next(child, Link.PARENT)) {
                take(child, out);
                if (nodes.kind(child) == Kind.DELEGATION) {
                    String id = decode(child);
                    if (seen.add(id)) {
                        pending.add(id);
                    }
                }
            }
        }
    }

    /** Counts {@code node} in {@code out}: its end, and its id unless it is a registration. */
    private void take(int node, Collector out) {
        out.latestNotAfter = Math.max(out.latestNotAfter, nodes.notAfter(node));
        if (nodes.kind(node) != Kind.REGISTRATION) {
            out.add(nodes.kind(node), decode(node));
        }
    }

    private void notAfterOf(Kind kind, String id, Collector out) {
        int node = find(kind, id);
        if (node != NONE) {
            out.latestNotAfter = Math.max(out.latestNotAfter, nodes.notAfter(node));
        }
    }

    /** The credential of {@code kind} (not a registration) with {@code id}, or NONE. */
    private int find(Kind kind, String id) {
        byte[] encoded;
        try {
            encoded = encode(kind, id);
        } catch (NumberFormatException e) {
            return NONE; // Not a serial in hex: no certificate has it.
        }
        return find(hash(kind, encoded, null, null), kind, encoded, null, null);
    }

    /** The node of {@code kind} with {@code id} (for a registration: {@code instance} and {@code subject}), or NONE. */
    private int find(int hash, Kind kind, byte[] id, String instance, String subject) {
        return table.find(hash, node -> nodes.hash(node) == hash && nodes.kind(node) == kind
                && (id != null ? Arrays.equals(nodes.id(node), id)
                        : key(node, Link.INSTANCE).equals(instance) && key(node, Link.SUBJECT).equals(subject)));
    }

    private static int hash(Kind kind, byte[] id, String instance, String subject) {
        int h = id != null ? 31 * kind.ordinal() + Arrays.hashCode(id)
                : (31 * kind.ordinal() + instance.hashCode()) * 31 + subject.hashCode();
        return spread(h);
    }

    /** Fibonacci hashing: spreads the low bits a table's mask keeps. */
    private static int spread(int hash) {
        return hash * 0x9E3779B9;
    }

    /** The targets that name {@code node} or something it derives from (its delegation chain included). */
    private List<Target> coveredBy(int node) {
        List<Target> targets = new ArrayList<>();
        switch (nodes.kind(node)) {
            case X509_SVID -> targets.add(Target.serial(decode(node)));
            case JWT_SVID, CAPABILITY_TOKEN -> targets.add(Target.tokenId(decode(node)));
            case DELEGATION -> {
                String id = decode(node);
                targets.add(Target.delegation(id));
                targets.add(Target.tokenId(id));
            }
            case REGISTRATION -> { }
        }
        tryAdd(targets, Target.Kind.SPIFFE_ID, key(node, Link.SUBJECT));
        tryAdd(targets, Target.Kind.AGENT_INSTANCE, key(node, Link.INSTANCE));
        tryAdd(targets, Target.Kind.USER, key(node, Link.USER));
        String parent = key(node, Link.PARENT);
        for (int depth = 0; parent != null && depth < MAX_DEPTH; depth++) {
            targets.add(Target.delegation(parent));
            targets.add(Target.tokenId(parent));
            int up = find(Kind.DELEGATION, parent);
            parent = up == NONE ? null : key(up, Link.PARENT);
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

    /** The key {@code node} names for {@code link}, or null. */
    private String key(int node, Link link) {
        int group = nodes.group(node, link);
        return group == NONE ? null : groups[link.ordinal()].key[group];
    }

    /** The first member of the group of {@code key} for {@code link}, or NONE. */
    private int first(Link link, String key) {
        Groups of = groups[link.ordinal()];
        int group = of.find(key);
        return group == NONE ? NONE : of.first[group];
    }

    /** Puts {@code node} in the group of {@code key} for {@code link} (made if absent), at the end of its members. */
    private void join(int node, Link link, String key) {
        if (key == null) {
            return;
        }
        Groups of = groups[link.ordinal()];
        int group = of.acquire(key);
        nodes.setGroup(node, link, group);
        if (member(node, link)) {
            int last = of.last[group];
            nodes.setPrevious(node, link, last);
            if (last == NONE) {
                of.first[group] = node;
            } else {
                nodes.setNext(last, link, node);
            }
            of.last[group] = node;
        }
    }

    /** Takes {@code node} out of the table, the expiry heap and its groups, and frees its number. */
    private void forget(int node) {
        table.remove(node);
        byExpiry.remove(node);
        for (Link link : LINKS) {
            leave(node, link);
        }
        nodes.remove(node);
    }

    private void leave(int node, Link link) {
        int group = nodes.group(node, link);
        if (group == NONE) {
            return;
        }
        Groups of = groups[link.ordinal()];
        if (member(node, link)) {
            int previous = nodes.previous(node, link);
            int next = nodes.next(node, link);
            if (previous == NONE) {
                of.first[group] = next;
            } else {
                nodes.setNext(previous, link, next);
            }
            if (next == NONE) {
                of.last[group] = previous;
            } else {
                nodes.setPrevious(next, link, previous);
            }
        }
        of.release(group);
    }

    /** Whether {@code node} is listed in its group of {@code link}: a user lists only the root delegations they granted. */
    private boolean member(int node, Link link) {
        return link != Link.USER || (nodes.kind(node) == Kind.DELEGATION && nodes.group(node, Link.PARENT) == NONE);
    }

    /** The stored form of an id: a serial (hex) as its two's complement octets, anything else as UTF-8. */
    private static byte[] encode(Kind kind, String id) {
        return kind == Kind.X509_SVID ? Serials.octets(id) : utf8(id);
    }

    private static byte[] utf8(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** The id of {@code node} (not a registration) as targets name it. */
    private String decode(int node) {
        byte[] id = nodes.id(node);
        return nodes.kind(node) == Kind.X509_SVID ? Serials.hex(UnsafeByteOperations.unsafeWrap(id))
                : new String(id, StandardCharsets.UTF_8);
    }

    private static Draft x509(X509SvidIssued svid) {
        if (svid.getSerial().isEmpty()) {
            return null;
        }
        return new Draft(Kind.X509_SVID, Serials.minimalOctets(svid.getSerial()), notAfter(svid.getValidity()), null,
                nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null);
    }

    private static Draft jwt(JwtSvidIssued svid) {
        return svid.getTokenId().isEmpty() ? null : new Draft(Kind.JWT_SVID, utf8(svid.getTokenId()), notAfter(svid.getValidity()),
                null, nonEmpty(svid.getSpiffeId()), nonEmpty(svid.getAgentInstance()), null);
    }

    private static Draft delegation(DelegationGranted granted) {
        if (granted.getDelegationId().isEmpty()) {
            return null;
        }
        return new Draft(Kind.DELEGATION, utf8(granted.getDelegationId()), notAfter(granted.getValidity()),
                nonEmpty(granted.getParentDelegationId()), nonEmpty(granted.getDelegateSpiffeId()), null,
                Target.userKey(granted.getActingUser()));
    }

    private static Draft token(CapabilityTokenIssued issued) {
        return issued.getTokenId().isEmpty() ? null : new Draft(Kind.CAPABILITY_TOKEN, utf8(issued.getTokenId()),
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

    /** Hands out numbers for array slots: the last one given back first, else the next unused one. */
    private static final class Numbers {
        private int[] returned = new int[16];
        private int returnedCount;
        private int used;

        int take() {
            return returnedCount > 0 ? returned[--returnedCount] : used++;
        }

        void giveBack(int number) {
            if (returnedCount == returned.length) {
                returned = Arrays.copyOf(returned, returned.length * 2);
            }
            returned[returnedCount++] = number;
        }
    }

    /**
     * The tracked credentials, a node number each, their fields in pages of parallel arrays: a page is
     * added when the last is full (nothing is copied, and no array is so large that the collector
     * keeps it in whole regions of its own). A registration has no id: it is its instance and SPIFFE ID.
     */
    private static final class Nodes {
        private static final int PAGE_BITS = 10;
        private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
        private static final int LINK_COUNT = LINKS.length;

        /** The fields of {@code 1 << PAGE_BITS} nodes. */
        private static final class Page {
            final byte[] kind = new byte[1 << PAGE_BITS];
            final byte[][] id = new byte[1 << PAGE_BITS][];
            final int[] hash = new int[1 << PAGE_BITS];
            final long[] notAfter = new long[1 << PAGE_BITS];
            /** Where each node sits in the expiry heap. */
            final int[] heapPosition = new int[1 << PAGE_BITS];
            /** Per node, for each link: its group, then its previous and its next neighbour in that group's chain. */
            final int[] links = new int[(3 * LINK_COUNT) << PAGE_BITS];
        }

        private final Numbers numbers = new Numbers();
        private Page[] pages = new Page[1];

        int add(Kind kind, byte[] id, int hash, long notAfter) {
            int node = numbers.take();
            int index = node >>> PAGE_BITS;
            if (index == pages.length) {
                pages = Arrays.copyOf(pages, index * 2);
            }
            if (pages[index] == null) {
                pages[index] = new Page();
            }
            Page page = pages[index];
            int at = node & PAGE_MASK;
            page.kind[at] = (byte) kind.ordinal();
            page.id[at] = id;
            page.hash[at] = hash;
            page.notAfter[at] = notAfter;
            Arrays.fill(page.links, at * 3 * LINK_COUNT, (at + 1) * 3 * LINK_COUNT, NONE);
            return node;
        }

        void remove(int node) {
            page(node).id[node & PAGE_MASK] = null;
            numbers.giveBack(node);
        }

        private Page page(int node) {
            return pages[node >>> PAGE_BITS];
        }

        Kind kind(int node) {
            return KINDS[page(node).kind[node & PAGE_MASK]];
        }

        byte[] id(int node) {
            return page(node).id[node & PAGE_MASK];
        }

        int hash(int node) {
            return page(node).hash[node & PAGE_MASK];
        }

        long notAfter(int node) {
            return page(node).notAfter[node & PAGE_MASK];
        }

        int heapPosition(int node) {
            return page(node).heapPosition[node & PAGE_MASK];
        }

        void setHeapPosition(int node, int position) {
            page(node).heapPosition[node & PAGE_MASK] = position;
        }

        int group(int node, Link link) {
            return page(node).links[slot(node, 0, link)];
        }

        int previous(int node, Link link) {
            return page(node).links[slot(node, 1, link)];
        }

        int next(int node, Link link) {
            return page(node).links[slot(node, 2, link)];
        }

        void setGroup(int node, Link link, int group) {
            page(node).links[slot(node, 0, link)] = group;
        }

        void setPrevious(int node, Link link, int previous) {
            page(node).links[slot(node, 1, link)] = previous;
        }

        void setNext(int node, Link link, int next) {
            page(node).links[slot(node, 2, link)] = next;
        }

        /** Where field {@code field} (0 group, 1 previous, 2 next) of {@code link} is in the node's page's links. */
        private static int slot(int node, int field, Link link) {
            return ((node & PAGE_MASK) * 3 + field) * LINK_COUNT + link.ordinal();
        }
    }

    /**
     * The keys of one link (SPIFFE IDs, say), a group number each, held once with the first and last
     * node of the chain of members; a key leaves when no node names it any more.
     */
    private static final class Groups {
        private final Numbers numbers = new Numbers();
        String[] key = new String[16];
        int[] first = new int[16];
        int[] last = new int[16];
        /** How many nodes name each key (members or not). */
        private int[] references = new int[16];
        private final Slots table = new Slots(group -> spread(key[group].hashCode()));

        /** The group of {@code key}, or NONE. */
        int find(String key) {
            return table.find(spread(key.hashCode()), group -> this.key[group].equals(key));
        }

        /** The group of {@code key}, made if absent, counting one more node naming it. */
        int acquire(String key) {
            int group = find(key);
            if (group == NONE) {
                group = numbers.take();
                if (group == this.key.length) {
                    int capacity = group * 2;
                    this.key = Arrays.copyOf(this.key, capacity);
                    first = Arrays.copyOf(first, capacity);
                    last = Arrays.copyOf(last, capacity);
                    references = Arrays.copyOf(references, capacity);
                }
                this.key[group] = key;
                first[group] = NONE;
                last[group] = NONE;
                references[group] = 0;
                table.insert(group);
            }
            references[group]++;
            return group;
        }

        /** One node fewer names the key of {@code group}; the key leaves at none. */
        void release(int group) {
            if (--references[group] == 0) {
                table.remove(group);
                key[group] = null;
                numbers.giveBack(group);
            }
        }
    }

    /**
     * A set of numbers found by hash: open addressing with linear probing over the numbers plus one
     * (zero is an empty slot), at most half full, deletion by shifting back the probe run (no
     * tombstones). It asks {@code hashOf} for a number's hash when it moves it.
     */
    private static final class Slots {
        private final IntUnaryOperator hashOf;
        private int[] slots = new int[16];
        private int size;

        Slots(IntUnaryOperator hashOf) {
            this.hashOf = hashOf;
        }

        int size() {
            return size;
        }

        /** The first number in the probe run of {@code hash} that {@code matches}, or NONE. */
        int find(int hash, IntPredicate matches) {
            int mask = slots.length - 1;
            for (int i = home(hash, mask); slots[i] != 0; i = (i + 1) & mask) {
                if (matches.test(slots[i] - 1)) {
                    return slots[i] - 1;
                }
            }
            return NONE;
        }

        /** Adds {@code number}, which must not be present. */
        void insert(int number) {
            if (2 * (size + 1) > slots.length) {
                int[] old = slots;
                slots = new int[old.length * 2];
                for (int stored : old) {
                    if (stored != 0) {
                        place(stored);
                    }
                }
            }
            place(number + 1);
            size++;
        }

        private void place(int stored) {
            int mask = slots.length - 1;
            int i = home(hashOf.applyAsInt(stored - 1), mask);
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = stored;
        }

        /** Removes {@code number}, which must be present. */
        void remove(int number) {
            int mask = slots.length - 1;
            int hole = home(hashOf.applyAsInt(number), mask);
            while (slots[hole] != number + 1) {
                hole = (hole + 1) & mask;
            }
            // Move back every later number of the run whose home is not between the hole and itself.
            for (int i = (hole + 1) & mask; slots[i] != 0; i = (i + 1) & mask) {
                int home = home(hashOf.applyAsInt(slots[i] - 1), mask);
                boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
                if (!stays) {
                    slots[hole] = slots[i];
                    hole = i;
                }
            }
            slots[hole] = 0;
            size--;
        }

        private static int home(int hash, int mask) {
            return (hash ^ (hash >>> 16)) & mask;
        }
    }

    /**
     * Node numbers by end of validity, soonest first: a binary heap that records where each node
     * sits, so that a credential replaced by a later entry leaves it at once.
     */
    private static final class ExpiryHeap {
        private final Nodes nodes;
        private int[] heap = new int[16];
        private int size;

        ExpiryHeap(Nodes nodes) {
            this.nodes = nodes;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The node that expires first; requires a non-empty heap. */
        int first() {
            return heap[0];
        }

        void add(int node) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            put(size, node);
            up(size++);
        }

        void remove(int node) {
            int at = nodes.heapPosition(node);
            int last = heap[--size];
            if (at < size) {
                put(at, last);
                up(at);
                down(nodes.heapPosition(last));
            }
        }

        private void up(int at) {
            int node = heap[at];
            while (at > 0) {
                int parent = (at - 1) >>> 1;
                if (end(heap[parent]) <= end(node)) {
                    break;
                }
                put(at, heap[parent]);
                at = parent;
            }
            put(at, node);
        }

        private void down(int at) {
            int node = heap[at];
            for (int child = 2 * at + 1; child < size; child = 2 * at + 1) {
                if (child + 1 < size && end(heap[child + 1]) < end(heap[child])) {
                    child++;
                }
                if (end(heap[child]) >= end(node)) {
                    break;
                }
                put(at, heap[child]);
                at = child;
            }
            put(at, node);
        }

        private long end(int node) {
            return nodes.notAfter(node);
        }

        private void put(int at, int node) {
            heap[at] = node;
            nodes.setHeapPosition(node, at);
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
