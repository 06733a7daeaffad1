package dev.agentledger.issuer;

import com.google.protobuf.ByteString;
import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.IndexKey;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.TokenConsumed;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.WorkloadRegistered;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Agent instances registered at spawn time, and the ways they obtain X509-SVIDs: a one-time join
 * token redeemed by the instance itself, the orchestrator that registered it asking on its
 * behalf, or the instance renewing with its current SVID.
 *
 * <p>State lives in the log alone: a registration is its {@code WorkloadRegistered} entry (found
 * through the log's SPIFFE ID and token id indexes), a spent join token is a {@code TokenConsumed}
 * entry for its id. So single use holds across restarts, and nothing here needs its own storage.
 *
 * <p>Security guarantees: a join token works once, for {@value #JOIN_TOKEN_TTL_SECONDS} seconds
 * at most, and only for the ID it was registered for; it is spent (durably logged) before the
 * SVID is made, so two concurrent or replayed redemptions cannot both succeed, and a crash between
 * the two leaves it spent, never reusable. Only entries the issuer itself appended count as
 * registrations. The SPIFFE ID always comes from the registration, never from the CSR.
 *
 * <p>Thread-safe.
 */
public final class Registrations {
    /** Lifetime of a join token. */
    public static final long JOIN_TOKEN_TTL_SECONDS = 60;
    private static final int LOCK_STRIPES = 64;

    private final Issuer issuer;
    private final Ledger ledger;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /** Registrations recorded in {@code ledger} by {@code issuer}. */
    public Registrations(Issuer issuer, Ledger ledger) {
        this.issuer = issuer;
        this.ledger = ledger;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Registers an agent instance for {@code orchestrator}, logs it and returns it with a new join
     * token for the instance.
     *
     * @throws IssuanceException ({@code ALREADY_REGISTERED}) if the ID already has entries in the
     *     log, ({@code NOT_LOGGED}) if the append failed
     */
    public LoggedCredential<Registered> register(SpiffeId orchestrator, WorkloadSpec spec) throws IssuanceException {
        IssuerConfig config = issuer.config();
        String instance = spec.kind() == WorkloadSpec.Kind.TOOL ? ""
                : spec.instance().orElseGet(() -> java.util.HexFormat.of().formatHex(randomBytes(config, 8)));
        SpiffeId id = SpiffeId.of(config.trustDomain(), spec.kind() == WorkloadSpec.Kind.TOOL
                ? "tool/" + spec.agentName() : "agent/" + spec.agentName() + "/" + instance);
        spec.actingUser().ifPresent(user -> requireUser(config, user));
        Instant now = Issuer.now(config);
        JoinToken joinToken = new JoinToken(randomId(config, 16) + "." + randomId(config, 32),
                now.plusSeconds(JOIN_TOKEN_TTL_SECONDS));
        Instant expires = now.plus(spec.lifetime());
        WorkloadRegistered.Builder event = WorkloadRegistered.newBuilder()
                .setSpiffeId(id.value())
                .setAgentName(spec.agentName())
                .setAgentInstance(instance)
                .setTask(spec.task())
                .setEnvironment(spec.environment())
                .setOrchestratorSpiffeId(orchestrator.value())
                .setJoinTokenId(joinToken.id())
                .setJoinTokenSha256(ByteString.copyFrom(joinToken.sha256()))
                .addAllSelectors(spec.selectors())
                .setExpiresUnixMillis(expires.toEpochMilli())
                .setJoinTokenExpiresUnixMillis(joinToken.expires().toEpochMilli());
        spec.actingUser().ifPresent(user -> event.setActingUser(user(config, user)));
        synchronized (lockFor(id.value())) {
            if (!ledger.lookup(new IndexKey(IndexKey.Kind.SPIFFE_ID, id.value()), 0, 1).isEmpty()) {
                throw new IssuanceException(Reason.ALREADY_REGISTERED, id + " already has entries in the log; choose another instance id");
            }
            Appended appended = issuer.append(LogEntry.newBuilder().setHeader(issuer.header(now)).setWorkloadRegistered(event).build());
            Registration registration = new Registration(id, spec.agentName(), instance, spec.task(), spec.actingUser(),
                    spec.environment(), orchestrator, expires, appended.index());
            return LoggedCredential.of(new Registered(registration, joinToken), appended);
        }
    }

    /**
     * The registration of {@code id}, if the issuer registered it (expired ones included).
     *
     * @throws IllegalStateException if the log holds an entry that does not parse (it validated it once)
     */
    public Optional<Registration> find(SpiffeId id) {
        List<Long> first = ledger.lookup(new IndexKey(IndexKey.Kind.SPIFFE_ID, id.value()), 0, 1);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        long index = first.get(0);
        LogEntry entry = entry(index);
        if (!entry.hasWorkloadRegistered() || !fromIssuer(entry) || !entry.getWorkloadRegistered().getSpiffeId().equals(id.value())) {
            return Optional.empty();
        }
        return Optional.of(registration(entry.getWorkloadRegistered(), index));
    }

    /**
     * Redeems a join token for the first X509-SVID of the instance it was made for: the token is
     * spent (logged) first, then the SVID is issued and logged.
     *
     * @param token the join token as handed to the instance
     * @param csr the instance's DER PKCS#10 request (its key stays with it)
     * @throws IssuanceException {@code JOIN_TOKEN_INVALID} (unknown, malformed or wrong secret),
     *     {@code JOIN_TOKEN_EXPIRED}, {@code JOIN_TOKEN_USED}, or a CSR refusal (the token is then
     *     already spent: register again)
     */
    public LoggedCredential<X509Certificate> redeem(String token, byte[] csr, Duration ttl) throws IssuanceException {
        if (!JoinToken.wellFormed(token)) {
            throw new IssuanceException(Reason.JOIN_TOKEN_INVALID, "not a join token");
        }
        String tokenId = JoinToken.idOf(token);
        byte[] tokenSha256 = Digests.sha256(token.getBytes(StandardCharsets.US_ASCII));
        CertificationRequests.publicKey(csr); // refuse a bad CSR before the token is spent
        Registration registration;
        synchronized (lockFor(tokenId)) {
            Redemption found = lookupToken(tokenId);
            if (found.registered == null
                    || !MessageDigest.isEqual(found.registered.getJoinTokenSha256().toByteArray(), tokenSha256)) {
                throw new IssuanceException(Reason.JOIN_TOKEN_INVALID, "unknown join token " + tokenId);
            }
            if (found.consumed) {
                throw new IssuanceException(Reason.JOIN_TOKEN_USED, "join token " + tokenId + " was already used; register the instance again");
            }
            Instant now = Issuer.now(issuer.config());
            Instant expiry = Instant.ofEpochMilli(found.registered.getJoinTokenExpiresUnixMillis());
            if (!now.isBefore(expiry)) {
                throw new IssuanceException(Reason.JOIN_TOKEN_EXPIRED, "join token " + tokenId + " expired at " + expiry);
            }
            registration = registration(found.registered, found.registeredIndex);
            requireActive(registration, now);
            issuer.append(LogEntry.newBuilder().setHeader(issuer.header(now)).setTokenConsumed(TokenConsumed.newBuilder()
                    .setTokenId(tokenId)
                    .setTokenSha256(ByteString.copyFrom(tokenSha256))
                    .setConsumerSpiffeId(issuer.config().authorityId().value())
                    .setPresenterSpiffeId(registration.spiffeId().value())
                    .setAction("join")
                    .setResource(registration.spiffeId().value())).build());
        }
        // Spent and logged: a crash from here on leaves the token used and no SVID, never a second use.
        return issuer.issueX509Svid(registration.spiffeId(), csr, ttl, registration.agentInstance());
    }

    /**
     * Issues an X509-SVID for a registered instance to {@code caller}: the orchestrator that
     * registered it, or the instance itself renewing (its ID authenticated by its current SVID).
     *
     * @throws IssuanceException {@code NOT_REGISTERED}, {@code REGISTRATION_EXPIRED},
     *     {@code NOT_PERMITTED} (caller is neither), or a CSR refusal
     */
    public LoggedCredential<X509Certificate> issueX509Svid(SpiffeId caller, SpiffeId id, byte[] csr, Duration ttl)
            throws IssuanceException {
        Registration registration = permitted(caller, id);
        return issuer.issueX509Svid(id, csr, ttl, registration.agentInstance());
    }

    /**
     * Issues a JWT-SVID for a registered instance to {@code caller}, under the same rules as
     * {@link #issueX509Svid(SpiffeId, SpiffeId, byte[], Duration)}.
     */
    public LoggedCredential<JwtSvid> issueJwtSvid(SpiffeId caller, SpiffeId id, List<String> audience, Duration ttl)
            throws IssuanceException {
        permitted(caller, id);
        return issuer.issueJwtSvid(id, audience, ttl);
    }

    private Registration permitted(SpiffeId caller, SpiffeId id) throws IssuanceException {
        Registration registration = find(id).orElseThrow(() -> new IssuanceException(Reason.NOT_REGISTERED,
                id + " is not a registered workload; an orchestrator registers it first"));
        if (!caller.equals(registration.orchestrator()) && !caller.equals(id)) {
            throw new IssuanceException(Reason.NOT_PERMITTED, caller + " may not obtain credentials for " + id
                    + ": only its orchestrator " + registration.orchestrator() + " or the instance itself may");
        }
        requireActive(registration, Issuer.now(issuer.config()));
        return registration;
    }

    private static void requireActive(Registration registration, Instant now) throws IssuanceException {
        if (!now.isBefore(registration.expires())) {
            throw new IssuanceException(Reason.REGISTRATION_EXPIRED,
                    "the registration of " + registration.spiffeId() + " expired at " + registration.expires());
        }
    }

    /** What the log says about one join token id. */
    private record Redemption(WorkloadRegistered registered, long registeredIndex, boolean consumed) {}

    private Redemption lookupToken(String tokenId) {
        WorkloadRegistered registered = null;
        long registeredIndex = -1;
        boolean consumed = false;
        for (TokenEntries.Indexed found : TokenEntries.about(ledger, tokenId, issuer.config().authorityId().value())) {
            LogEntry entry = found.entry();
            if (registered == null && entry.hasWorkloadRegistered() && entry.getWorkloadRegistered().getJoinTokenId().equals(tokenId)) {
                registered = entry.getWorkloadRegistered();
                registeredIndex = found.index();
            } else if (entry.hasTokenConsumed() && entry.getTokenConsumed().getTokenId().equals(tokenId)) {
                consumed = true;
            }
        }
        return new Redemption(registered, registeredIndex, consumed);
    }

    private boolean fromIssuer(LogEntry entry) {
        return entry.getHeader().getCallerSpiffeId().equals(issuer.config().authorityId().value());
    }

    private LogEntry entry(long index) {
        return TokenEntries.parse(ledger, index);
    }

    private static Registration registration(WorkloadRegistered event, long index) {
        Optional<SpiffeId> user = event.hasActingUser()
                ? Optional.of(SpiffeId.parse(event.getActingUser().getSubject())) : Optional.empty();
        return new Registration(SpiffeId.parse(event.getSpiffeId()), event.getAgentName(), event.getAgentInstance(),
                event.getTask(), user, event.getEnvironment(), SpiffeId.parse(event.getOrchestratorSpiffeId()),
                Instant.ofEpochMilli(event.getExpiresUnixMillis()), index);
    }

    /** A user of this trust domain, as logged: the trust domain's ID as issuer, the user's ID as subject. */
    static User user(IssuerConfig config, SpiffeId user) {
        return User.newBuilder().setIssuer(SpiffeId.ofTrustDomain(config.trustDomain()).value()).setSubject(user.value()).build();
    }

    private static void requireUser(IssuerConfig config, SpiffeId user) {
        if (!user.trustDomain().equals(config.trustDomain()) || !user.path().startsWith("/user/")) {
            throw new IllegalArgumentException("acting user " + user + " is not spiffe://" + config.trustDomain() + "/user/<name>");
        }
    }

    private Object lockFor(String key) {
        return locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)];
    }

    private static String randomId(IssuerConfig config, int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(config, bytes));
    }

    private static byte[] randomBytes(IssuerConfig config, int bytes) {
        byte[] random = new byte[bytes];
        config.random().nextBytes(random);
        return random;
    }
}
