package dev.agentledger.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The index against a reference oracle: a plain list of the live credentials, searched naively.
 * Random issuance from small pools of ids (so credentials are replaced, keys are shared, chains are
 * deep and may even loop) interleaved with expiry; after every step the size, what each new
 * credential is covered by, and the expansion of every target with and without cascade must be
 * the oracle's.
 */
class DerivationIndexOracleTest {
    private static final int BUDGET = 1 << 20;
    private static final String[] SUBJECTS = {"spiffe://t.example/a0", "spiffe://t.example/a1", "spiffe://t.example/a2"};
    private static final String[] INSTANCES = {"i0", "i1", "i2"};
    private static final String[] USERS = {"u0", "u1"};

    /** One credential as the oracle keeps it; a null field is absent. */
    private record Credential(DerivationIndex.Kind kind, String id, long notAfter, String parent, String subject,
            String instance, String user) {
        boolean sameAs(Credential other) {
            return kind == other.kind && (kind == DerivationIndex.Kind.REGISTRATION
                    ? instance.equals(other.instance) && subject.equals(other.subject) : id.equals(other.id));
        }
    }

    static Stream<Arguments> seeds() {
        return Stream.of(1L, 2L, 3L, 4L, 5L, 6L).map(Arguments::of);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithTheOracle(long seed) {
        Random random = new Random(seed);
        DerivationIndex index = new DerivationIndex();
        List<Credential> live = new ArrayList<>();
        long now = 0;
        for (int step = 0; step < 400; step++) {
            if (random.nextInt(8) == 0) {
                now += random.nextInt(60);
                long cut = now;
                index.prune(cut);
                live.removeIf(c -> c.notAfter() < cut);
            } else {
                Credential credential = draw(random, now);
                DerivationIndex.Added added = index.add(entry(credential));
                live.removeIf(credential::sameAs);
                live.add(credential);
                assertEquals(new HashSet<>(coveredBy(live, credential)), new HashSet<>(added.coveredBy()),
                        "step " + step + ": covering " + credential);
            }
            assertEquals(live.size(), index.size(), "step " + step);
            for (Target target : targets()) {
                for (boolean cascade : new boolean[] {false, true}) {
                    Oracle oracle = new Oracle(live);
                    oracle.expand(target, cascade);
                    DerivationIndex.Expansion expansion = index.expand(target, cascade, BUDGET);
                    String where = "step " + step + ": " + target + " cascade=" + cascade;
                    assertEquals(oracle.spiffeIds, new TreeSet<>(expansion.ids().spiffeIds()), where);
                    assertEquals(oracle.serials, new TreeSet<>(expansion.ids().serials()), where);
                    assertEquals(oracle.tokenIds, new TreeSet<>(expansion.ids().tokenIds()), where);
                    assertEquals(oracle.delegationIds, new TreeSet<>(expansion.ids().delegationIds()), where);
                    assertEquals(oracle.instances, new TreeSet<>(expansion.ids().agentInstances()), where);
                    assertEquals(oracle.latest, expansion.latestNotAfter(), where);
                }
            }
        }
    }

    private static Credential draw(Random random, long now) {
        long notAfter = now + 1 + random.nextInt(200);
        String subject = pick(random, SUBJECTS);
        String user = "https://idp.example#" + pick(random, USERS);
        return switch (random.nextInt(6)) {
            case 0 -> new Credential(DerivationIndex.Kind.DELEGATION, "d" + random.nextInt(8), notAfter,
                    random.nextInt(3) == 0 ? null : "d" + random.nextInt(8), subject, null, user);
            case 1, 2 -> new Credential(DerivationIndex.Kind.CAPABILITY_TOKEN, "t" + random.nextInt(20), notAfter,
                    random.nextInt(5) == 0 ? null : "d" + random.nextInt(8), subject, null, user);
            case 3 -> new Credential(DerivationIndex.Kind.X509_SVID, Integer.toHexString(0x100 + random.nextInt(12)), notAfter,
                    null, subject, pick(random, INSTANCES), null);
            case 4 -> new Credential(DerivationIndex.Kind.JWT_SVID, "j" + random.nextInt(6), notAfter, null, subject,
                    pick(random, INSTANCES), null);
            default -> new Credential(DerivationIndex.Kind.REGISTRATION, null, notAfter, null, subject,
                    pick(random, INSTANCES), user);
        };
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Every target the pools can name. */
    private static List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            targets.add(Target.delegation("d" + i));
            targets.add(Target.tokenId("d" + i));
        }
        for (int i = 0; i < 20; i += 3) {
            targets.add(Target.tokenId("t" + i));
        }
        targets.add(Target.tokenId("j1"));
        targets.add(Target.serial(Integer.toHexString(0x100 + 5)));
        for (String subject : SUBJECTS) {
            targets.add(Target.spiffeId(subject));
        }
        for (String instance : INSTANCES) {
            targets.add(Target.agentInstance(instance));
        }
        for (String user : USERS) {
            targets.add(Target.user("https://idp.example", user));
        }
        return targets;
    }

    private static LogEntry entry(Credential c) {
        LogEntry.Builder entry = LogEntry.newBuilder().setHeader(TestLog.header());
        User user = c.user() == null ? User.getDefaultInstance()
                : User.newBuilder().setIssuer("https://idp.example").setSubject(c.user().substring(c.user().indexOf('#') + 1)).build();
        switch (c.kind()) {
            case DELEGATION -> entry.setDelegationGranted(DelegationGranted.newBuilder().setDelegationId(c.id())
                    .setParentDelegationId(Objects.requireNonNullElse(c.parent(), "")).setDelegateSpiffeId(c.subject())
                    .setActingUser(user).setValidity(TestLog.validity(c.notAfter())));
            case CAPABILITY_TOKEN -> entry.setCapabilityTokenIssued(CapabilityTokenIssued.newBuilder().setTokenId(c.id())
                    .setDelegationId(Objects.requireNonNullElse(c.parent(), "")).setSubjectSpiffeId(c.subject())
                    .setActingUser(user).setValidity(TestLog.validity(c.notAfter())));
            case X509_SVID -> entry.setX509SvidIssued(X509SvidIssued.newBuilder()
                    .setSerial(ByteString.copyFrom(new BigInteger(c.id(), 16).toByteArray())).setSpiffeId(c.subject())
                    .setAgentInstance(c.instance()).setValidity(TestLog.validity(c.notAfter())));
            case JWT_SVID -> entry.setJwtSvidIssued(JwtSvidIssued.newBuilder().setTokenId(c.id()).setSpiffeId(c.subject())
                    .setAgentInstance(c.instance()).setValidity(TestLog.validity(c.notAfter())));
            case REGISTRATION -> entry.setWorkloadRegistered(WorkloadRegistered.newBuilder().setAgentInstance(c.instance())
                    .setSpiffeId(c.subject()).setActingUser(user).setExpiresUnixMillis(c.notAfter()));
        }
        return entry.build();
    }

    /** The targets naming {@code c} or its delegation chain (followed through live delegations, 64 links at most). */
    private static List<Target> coveredBy(List<Credential> live, Credential c) {
        List<Target> targets = new ArrayList<>();
        switch (c.kind()) {
            case X509_SVID -> targets.add(Target.serial(c.id()));
            case JWT_SVID, CAPABILITY_TOKEN -> targets.add(Target.tokenId(c.id()));
            case DELEGATION -> {
                targets.add(Target.delegation(c.id()));
                targets.add(Target.tokenId(c.id()));
            }
            case REGISTRATION -> { }
        }
        targets.add(Target.spiffeId(c.subject()));
        if (c.instance() != null) {
            targets.add(Target.agentInstance(c.instance()));
        }
        if (c.user() != null) {
            targets.add(new Target(Target.Kind.USER, c.user()));
        }
        String parent = c.parent();
        for (int depth = 0; parent != null && depth < 64; depth++) {
            targets.add(Target.delegation(parent));
            targets.add(Target.tokenId(parent));
            String id = parent;
            parent = live.stream().filter(d -> d.kind() == DerivationIndex.Kind.DELEGATION && d.id().equals(id))
                    .findFirst().map(Credential::parent).orElse(null);
        }
        return targets;
    }

    /** The expansion by definition, by scanning every live credential. */
    private static final class Oracle {
        final List<Credential> live;
        final Set<String> spiffeIds = new TreeSet<>();
        final Set<String> serials = new TreeSet<>();
        final Set<String> tokenIds = new TreeSet<>();
        final Set<String> delegationIds = new TreeSet<>();
        final Set<String> instances = new TreeSet<>();
        long latest = Long.MIN_VALUE;

        Oracle(List<Credential> live) {
            this.live = live;
        }

        void expand(Target target, boolean cascade) {
            String value = target.value();
            switch (target.kind()) {
                case DELEGATION -> delegation(value, cascade);
                case TOKEN_ID -> {
                    tokenIds.add(value);
                    latestOf(DerivationIndex.Kind.JWT_SVID, value);
                    latestOf(DerivationIndex.Kind.CAPABILITY_TOKEN, value);
                    if (live.stream().anyMatch(c -> c.kind() == DerivationIndex.Kind.DELEGATION && c.id().equals(value))) {
                        delegation(value, cascade);
                    }
                }
                case SERIAL -> {
                    serials.add(value);
                    latestOf(DerivationIndex.Kind.X509_SVID, value);
                }
                case SPIFFE_ID -> {
                    spiffeIds.add(value);
                    issuedTo(value, cascade, true);
                }
                case AGENT_INSTANCE -> {
                    instances.add(value);
                    for (Credential c : live) {
                        if (value.equals(c.instance())) {
                            take(c);
                            if (cascade && c.kind() == DerivationIndex.Kind.REGISTRATION) {
                                issuedTo(c.subject(), true, false);
                            }
                        }
                    }
                }
                case USER -> {
                    for (Credential c : live) {
                        if (c.kind() == DerivationIndex.Kind.DELEGATION && c.parent() == null && value.equals(c.user())) {
                            take(c);
                            if (cascade) {
                                descend(c.id());
                            }
                        }
                    }
                }
            }
        }

        private void delegation(String id, boolean cascade) {
            delegationIds.add(id);
            latestOf(DerivationIndex.Kind.DELEGATION, id);
            if (cascade) {
                descend(id);
            }
        }

        private void issuedTo(String subject, boolean cascade, boolean svids) {
            for (Credential c : live) {
                boolean svid = c.kind() == DerivationIndex.Kind.X509_SVID || c.kind() == DerivationIndex.Kind.JWT_SVID
                        || c.kind() == DerivationIndex.Kind.REGISTRATION;
                if (subject.equals(c.subject()) && (svids || !svid)) {
                    take(c);
                    if (cascade && c.kind() == DerivationIndex.Kind.DELEGATION) {
                        descend(c.id());
                    }
                }
            }
        }

        private void descend(String root) {
            Deque<String> pending = new ArrayDeque<>(List.of(root));
            Set<String> seen = new HashSet<>(pending);
            while (!pending.isEmpty()) {
                String id = pending.poll();
                for (Credential c : live) {
                    if (id.equals(c.parent())) {
                        take(c);
                        if (c.kind() == DerivationIndex.Kind.DELEGATION && seen.add(c.id())) {
                            pending.add(c.id());
                        }
                    }
                }
            }
        }

        private void latestOf(DerivationIndex.Kind kind, String id) {
            live.stream().filter(c -> c.kind() == kind && c.id().equals(id))
                    .forEach(c -> latest = Math.max(latest, c.notAfter()));
        }

        private void take(Credential c) {
            latest = Math.max(latest, c.notAfter());
            switch (c.kind()) {
                case DELEGATION -> delegationIds.add(c.id());
                case CAPABILITY_TOKEN, JWT_SVID -> tokenIds.add(c.id());
                case X509_SVID -> serials.add(c.id());
                case REGISTRATION -> { }
            }
        }
    }
}
