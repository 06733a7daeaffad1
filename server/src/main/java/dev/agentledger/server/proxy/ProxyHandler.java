package dev.agentledger.server.proxy;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.proto.v1.User;
import dev.agentledger.server.proxy.CallRefusedException.Reason;
import dev.agentledger.server.proxy.RoutePattern.Operation;
import dev.agentledger.verifierclient.guard.AccessDeniedException;
import dev.agentledger.verifierclient.guard.Admission;
import dev.agentledger.verifierclient.guard.HelidonToolGuard;
import dev.agentledger.verifierclient.guard.LogProof;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.grpc.UnauthenticatedException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import dev.agentledger.verifierclient.replay.SingleUse;

/**
 * Every call to the proxy, in this order: find the upstream by path prefix; take from the
 * caller's rate limit and quota (keyed by the SPIFFE ID of the certificate TLS verified, before
 * any token is spent); check the path is plain and mapped to an action and resource; read the
 * body (bounded); admit the call with the upstream's {@code ToolGuard} (SVID, capability token
 * for this audience, action and resource, {@code cnf} binding, revocation, log proof, single use
 * at the authority); forward it with the stored secret injected; record it.
 *
 * <p>Recording without a journal: a refusal is appended to the log as a {@code ToolCallRecorded}
 * entry (with its reason) before the refusal is answered; a forwarded call after the upstream
 * answers and before that answer is relayed (the token's {@code TokenConsumed} entry is already in
 * the log before forwarding). A call whose record cannot be written is answered 503 and not relayed.
 *
 * <p>With a {@link CallJournal}: a call admitted by the guard is in the journal (synced) before it
 * is forwarded, together with its token's spend when the journal is the token's single-use point;
 * its final record (status, hashes, or the refusal that followed admission) goes to the journal
 * and to the {@link RecordShipper}, which logs it, after the answer was relayed (off the caller's
 * wait: the record {@link CallJournal#begin} made durable stands if the process dies first). Refusals before admission are
 * appended synchronously as without a journal. Above {@link #MAX_UNSHIPPED} records waiting for
 * the log, calls are refused as unavailable.
 */
final class ProxyHandler implements Handler {
    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());
    /** Above this many call records waiting for the log, calls are refused as unavailable. */
    static final int MAX_UNSHIPPED = 10_000;
    private static final HeaderName LOG_PROOF = HeaderNames.create(LogProof.HEADER);

    private final List<ProxiedTool> tools;
    private final ToolCallRecorder fallbackRecorder;
    private final Forwarding forwarding;
    private final Optional<SecretStore> secrets;
    private final int maxBodyBytes;
    private final Optional<CallJournal> journal;
    private final Optional<RecordShipper> shipper;

    /**
     * @param fallbackRecorder records calls that match no upstream (as the proxy's own identity)
     */
    ProxyHandler(List<ProxiedTool> tools, ToolCallRecorder fallbackRecorder, Forwarding forwarding,
            Optional<SecretStore> secrets, int maxBodyBytes, Optional<CallJournal> journal, Optional<RecordShipper> shipper) {
        this.tools = List.copyOf(tools);
        this.fallbackRecorder = fallbackRecorder;
        this.forwarding = forwarding;
        this.secrets = secrets;
        this.maxBodyBytes = maxBodyBytes;
        this.journal = journal;
        this.shipper = shipper;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        String method = req.prologue().method().text();
        String rawPath = req.path().rawPath();
        ToolCallRecorded.Builder call = ToolCallRecorded.newBuilder().setMethod(method).setPath(rawPath);
        Optional<ProxiedTool> tool = toolFor(rawPath);
        tool.ifPresent(t -> call.setUpstream(t.name()));
        List<X509Certificate> peer = HelidonToolGuard.peerChain(req);
        peer.stream().findFirst().flatMap(ProxyHandler::uriSan).ifPresent(call::setCallerSpiffeId);
        ToolCallRecorder recorder = tool.map(ProxiedTool::recorder).orElse(fallbackRecorder);
        Journaled journaled = new Journaled(UUID.randomUUID().toString());
        try {
            ProxiedTool target = tool.orElseThrow(() -> new CallRefusedException(Reason.NO_UPSTREAM, "no upstream is served under " + rawPath));
            limit(target, call.getCallerSpiffeId());
            String below = rawPath.substring(target.prefix().length());
            Operation operation = operation(target, method, req.path().path().substring(target.prefix().length()), below);
            call.setAction(operation.action()).setResource(operation.resource());
            byte[] body = body(req);
            if (body.length > 0) {
                call.setRequestBodySha256(ByteString.copyFrom(sha256(body)));
            }
            Admission admission = admit(target, req, peer, operation, call, journaled);
            describe(call, admission);
            if (journaled.sequence >= 0) {
                update(journaled, call); // the spend wrote the call as known before admission; now with its delegation chain
            } else if (journal.isPresent()) {
                journaled.sequence = journal.get().begin(ToolCallRecorder.entry(call.build(), journaled.requestId));
            }
            Forwarding.Answer answer = forward(target, req, below, body, admission, call);
            call.setResponseStatus(answer.status()).setLatencyMicros((System.nanoTime() - start) / 1_000);
            if (answer.body().length > 0) {
                call.setResponseBodySha256(ByteString.copyFrom(sha256(answer.body())));
            }
            if (journaled.sequence < 0) {
                record(recorder, call);
                relay(res, answer);
            } else {
                try {
                    relay(res, answer);
                } finally {
                    ship(journaled, call); // after the answer: the journal holds the call durably since before forwarding
                }
            }
        } catch (CallRefusedException | IOException e) {
            CallRefusedException refused = e instanceof CallRefusedException r ? r
                    : new CallRefusedException(Reason.UNAVAILABLE, "the call could not be journaled: " + e.getMessage(), Optional.empty(), e);
            if (call.getCapabilityTokenId().isEmpty()) {
                presentedTokenId(req.headers().first(HeaderNames.AUTHORIZATION)).ifPresent(call::setCapabilityTokenId);
            }
            call.setRefusalReason(refused.reason().code()).setResponseStatus(refused.reason().status())
                    .setLatencyMicros((System.nanoTime() - start) / 1_000);
            if (journaled.sequence >= 0) {
                ship(journaled, call);
            } else {
                try {
                    record(recorder, call);
                } catch (CallRefusedException unrecorded) {
                    LOG.log(System.Logger.Level.WARNING, "refused " + method + " " + rawPath + " (" + refused.reason().code()
                            + ") and could not record it: " + unrecorded.getMessage());
                }
            }
            refuse(res, refused);
        }
    }

    /** A call's place in the journal: its request id, and its sequence number once the journal holds it. */
    private static final class Journaled {
        final String requestId;
        long sequence = -1;

        Journaled(String requestId) {
            this.requestId = requestId;
        }
    }

    private void update(Journaled journaled, ToolCallRecorded.Builder call) {
        journal.orElseThrow().update(journaled.sequence, ToolCallRecorder.entry(call.build(), journaled.requestId));
    }

    /** Records the final state of a journaled call in the journal (for a restart) and queues it for the log. */
    private void ship(Journaled journaled, ToolCallRecorded.Builder call) {
        update(journaled, call);
        shipper.orElseThrow().ship(journaled.sequence, ToolCallRecorder.entry(call.build(), journaled.requestId));
    }

    private Optional<ProxiedTool> toolFor(String rawPath) {
        for (ProxiedTool tool : tools) {
            if (rawPath.equals(tool.prefix()) || rawPath.startsWith(tool.prefix() + "/")) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    private static void limit(ProxiedTool tool, String caller) throws CallRefusedException {
        if (caller.isEmpty()) {
            return; // no SVID: the guard refuses it below, before anything is spent
        }
        Optional<TokenBuckets.Exhausted> exhausted = tool.limits().take(caller);
        if (exhausted.isPresent()) {
            TokenBuckets.Exhausted limit = exhausted.get();
            throw new CallRefusedException(limit.limit().equals("quota") ? Reason.QUOTA_EXCEEDED : Reason.RATE_LIMITED,
                    caller + " exceeded its " + limit.limit() + " for " + tool.name() + "; retry after "
                            + Math.max(1, (limit.retryAfter().toMillis() + 999) / 1000) + " s",
                    Optional.of(limit.retryAfter()), null);
        }
    }

    private static Operation operation(ProxiedTool tool, String method, String decodedBelow, String rawBelow)
            throws CallRefusedException {
        String lower = rawBelow.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || decodedBelow.contains("\\")
                || List.of(decodedBelow.split("/", -1)).stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            throw new CallRefusedException(Reason.INVALID_PATH, "the path has '.', '..' or encoded slash segments");
        }
        String path = decodedBelow.isEmpty() ? "/" : decodedBelow;
        return tool.operation(method, path).orElseThrow(() -> new CallRefusedException(Reason.NOT_MAPPED,
                method + " " + path + " is not an action of " + tool.name()));
    }

    private byte[] body(ServerRequest req) throws CallRefusedException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw new CallRefusedException(Reason.BODY_TOO_LARGE, "the request body is larger than " + maxBodyBytes + " bytes");
            }
            return body;
        } catch (IOException | RuntimeException e) {
            throw new CallRefusedException(Reason.INVALID_REQUEST, "cannot read the request body: " + e.getMessage(),
                    Optional.empty(), e);
        }
    }

    private Admission admit(ProxiedTool tool, ServerRequest req, List<X509Certificate> peer, Operation operation,
            ToolCallRecorded.Builder call, Journaled journaled) throws CallRefusedException {
        SingleUse spend = tool.consumption();
        if (journal.isPresent()) {
            CallJournal calls = journal.get();
            if (calls.unshipped() >= MAX_UNSHIPPED) {
                throw new CallRefusedException(Reason.UNAVAILABLE, calls.unshipped() + " call records wait to be logged: the"
                        + " authority is not reachable or not keeping up");
            }
            if (tool.spendsInJournal()) {
                // The journal is this token's single-use point: the spend and the call's record become durable together.
                spend = (token, tokenId, expires) -> journaled.sequence = calls.begin(
                        ToolCallRecorder.entry(call.clone().setCapabilityTokenId(tokenId).build(), journaled.requestId), tokenId, expires);
            }
        }
        try {
            return tool.guard().admit(peer, req.headers().first(HeaderNames.AUTHORIZATION),
                    req.headers().first(LOG_PROOF), operation.action(), operation.resource(),
                    operation.approvalRequired(), spend);
        } catch (AccessDeniedException e) {
            throw CallRefusedException.of(e);
        }
    }

    private static void describe(ToolCallRecorded.Builder call, Admission admission) {
        var token = admission.token();
        call.setCallerSpiffeId(admission.caller().spiffeId().value())
                .setCapabilityTokenId(token.id())
                .addAllDelegationIds(token.delegationIds())
                .setActingUser(User.newBuilder().setIssuer("spiffe://" + token.actingUser().trustDomain())
                        .setSubject(token.actingUser().value()));
    }

    private Forwarding.Answer forward(ProxiedTool tool, ServerRequest req, String below, byte[] body, Admission admission,
            ToolCallRecorded.Builder call) throws CallRefusedException {
        Optional<Map.Entry<String, String>> secret = Optional.empty();
        if (tool.inject().isPresent()) {
            var inject = tool.inject().get();
            byte[] value = secrets.flatMap(s -> s.value(inject.secret())).orElseThrow(() -> new CallRefusedException(
                    Reason.UNAVAILABLE, "the proxy holds no secret " + inject.secret() + " for " + tool.name()));
            secret = Optional.of(Map.entry(inject.header(), inject.format().replace("{secret}", new String(value, StandardCharsets.UTF_8))));
            call.addInjectedCredentialNames(inject.secret());
            LOG.log(System.Logger.Level.DEBUG, () -> "injecting secret " + inject.secret() + " into " + call.getMethod() + " "
                    + tool.name() + below + " for " + admission.caller().spiffeId() + " (token " + admission.token().id() + ")");
        }
        String query = req.query().rawValue();
        try {
            return forwarding.forward(tool.base(), call.getMethod(), (below.isEmpty() ? "/" : below) + (query.isEmpty() ? "" : "?" + query),
                    req.headers(), body, secret, admission.caller().spiffeId().value());
        } catch (IOException e) {
            throw new CallRefusedException(Reason.UPSTREAM_FAILED, tool.name() + " did not answer: " + e.getMessage(),
                    Optional.empty(), e);
        }
    }

    private static void record(ToolCallRecorder recorder, ToolCallRecorded.Builder call) throws CallRefusedException {
        try {
            recorder.record(call.build());
        } catch (IOException e) {
            throw new CallRefusedException(Reason.UNAVAILABLE, "the call could not be recorded in the log"
                    + (call.getRefusalReason().isEmpty() ? " (it was forwarded; the upstream answered " + call.getResponseStatus() + ")" : "")
                    + ": " + e.getMessage(), Optional.empty(), e);
        }
    }

    private static void relay(ServerResponse res, Forwarding.Answer answer) {
        res.status(Status.create(answer.status()));
        for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
            if (Forwarding.relayed(header.getKey())) {
                res.header(header.getKey(), header.getValue().toArray(String[]::new));
            }
        }
        res.send(answer.body());
    }

    private static void refuse(ServerResponse res, CallRefusedException e) {
        res.status(Status.create(e.reason().status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        e.retryAfter().ifPresent(after -> res.header(HeaderNames.RETRY_AFTER,
                Long.toString(Math.max(1, (after.toMillis() + 999) / 1000))));
        if (e.reason().status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        }
        res.send(JsonObject.builder().set("error", e.reason().code()).set("error_description", e.getMessage()).build().toString());
    }

    /** The SPIFFE ID of the certificate TLS verified against the bundle's authorities (fully checked later by the guard). */
    private static Optional<String> uriSan(X509Certificate certificate) {
        try {
            return Optional.of(CallerIdentity.of(Optional.of(new java.security.cert.Certificate[] {certificate})).value());
        } catch (UnauthenticatedException e) {
            return Optional.empty();
        }
    }

    /** The {@code jti} a presented bearer JWT claims, unverified: for matching a refusal to its token in the log. */
    static Optional<String> presentedTokenId(Optional<String> authorization) {
        String value = authorization.orElse("").strip();
        if (value.length() > 8 * 1024 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String[] parts = value.substring(7).strip().split("\\.", -1);
        try {
            String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            String jti = io.helidon.json.JsonParser.create(payload).readJsonObject().stringValue("jti", "");
            return parts.length == 3 && jti.matches("[A-Za-z0-9_-]{1,64}") ? Optional.of(jti) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
