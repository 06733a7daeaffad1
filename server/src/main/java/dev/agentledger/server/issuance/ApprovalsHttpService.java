package dev.agentledger.server.issuance;

import dev.agentledger.issuer.policy.Approval;
import dev.agentledger.issuer.policy.ApprovalException;
import dev.agentledger.issuer.policy.Approvals;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.grpc.UnauthenticatedException;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Human approvals for identities with role {@code approver}, on the private listener (caller
 * authenticated by its mTLS client certificate) and on the public one for the web console
 * (caller authenticated by a bearer console JWT-SVID, {@link ConsoleSvids}): the same routes and
 * the same decisions, logged with the caller's SPIFFE ID either way:
 * {@code GET /api/v1/approvals} lists the pending ones; {@code POST /api/v1/approvals/<id>/approve}
 * and {@code .../deny} decide one (JSON body {@code {"comment": "..."}}, optional), logged as
 * {@code ApprovalDecided} before the answer. {@code GET /api/v1/approvals/<id>} shows one, also to
 * the agent that asked.
 */
public final class ApprovalsHttpService implements HttpService {
    private static final int MAX_BODY_BYTES = 8 * 1024;

    /** Who calls: the authenticated SPIFFE ID of a request. */
    @FunctionalInterface
    public interface Callers {
        /**
         * The caller of {@code req}.
         *
         * @throws UnauthenticatedException if the request carries no acceptable identity
         */
        SpiffeId of(ServerRequest req) throws UnauthenticatedException;
    }

    private final Approvals approvals;
    private final Roles roles;
    private final Callers callers;

    /** Routes over {@code approvals} for mTLS callers (their client certificate's SPIFFE ID), authorized by {@code roles}. */
    public ApprovalsHttpService(Approvals approvals, Roles roles) {
        this(approvals, roles, req -> CallerIdentity.of(req.remotePeer().tlsCertificates()));
    }

    /** Routes over {@code approvals} for callers identified by {@code callers}, authorized by {@code roles}. */
    public ApprovalsHttpService(Approvals approvals, Roles roles, Callers callers) {
        this.approvals = approvals;
        this.roles = roles;
        this.callers = callers;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/approvals", this::list)
                .get("/approvals/{id}", this::show)
                .post("/approvals/{id}/approve", (req, res) -> decide(req, res, true))
                .post("/approvals/{id}/deny", (req, res) -> decide(req, res, false));
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            roles.require(callers.of(req), "list approvals", Role.APPROVER);
            List<JsonValue> pending = new ArrayList<>();
            for (Approval approval : approvals.pending()) {
                pending.add(json(approval));
            }
            return JsonObject.builder().set("pending", JsonArray.create(pending)).build();
        });
    }

    private void show(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = callers.of(req);
            String id = req.path().pathParameters().get("id");
            Optional<Approval> found = approvals.find(id);
            // Only approvers learn whether an id they do not own exists: others get the same 403 either way.
            if (found.isEmpty() || !found.get().request().principal().equals(caller)) {
                roles.require(caller, "see another agent's approval", Role.APPROVER);
            }
            return json(found.orElseThrow(() -> new ApprovalException(ApprovalException.Reason.UNKNOWN_APPROVAL, id, "no such approval")));
        });
    }

    private void decide(ServerRequest req, ServerResponse res, boolean approve) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = callers.of(req);
            roles.require(caller, "decide approvals", Role.APPROVER);
            String comment = comment(req);
            String id = req.path().pathParameters().get("id");
            return json(approve ? approvals.approve(id, caller, comment) : approvals.deny(id, caller, comment));
        });
    }

    private static String comment(ServerRequest req) throws Exception {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : JsonParser.create(text).readJsonObject().stringValue("comment", "");
    }

    static JsonObject json(Approval approval) {
        Approval.Request request = approval.request();
        JsonObject.Builder json = JsonObject.builder()
                .set("approval_id", approval.id())
                .set("status", approval.status().name().toLowerCase(java.util.Locale.ROOT))
                .set("principal", request.principal().value())
                .set("action", request.action())
                .set("resource", request.resource())
                .set("reason", approval.reason())
                .set("policy", approval.policyId() + " v" + approval.policyVersion())
                .set("requested_unix", approval.requested().getEpochSecond())
                .set("expires_unix", approval.expires().getEpochSecond())
                .set("comment", approval.comment());
        request.actingUser().ifPresent(user -> json.set("acting_user", user.value()));
        approval.decidedBy().ifPresent(by -> json.set("decided_by", by.value()));
        JsonObject.Builder context = JsonObject.builder();
        request.context().forEach(context::set);
        return json.set("context", context.build()).build();
    }
}
