package dev.agentledger.server.revocation;

import com.google.protobuf.util.JsonFormat;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/v1/revocations} on the private mTLS listener: the body is a
 * {@code RevokeRequest} in protobuf JSON, e.g. {@code {"revocation": {"delegation_id": "d-1",
 * "reason": "REVOCATION_REASON_AGENT_COMPROMISE", "cascade": true}}}; the answer (200) is the
 * {@code RevokeResponse} in protobuf JSON. The caller is the SPIFFE ID of its client certificate
 * and needs role revoker or operator. Errors are {@code {"error": "..."}} with the status from
 * {@link RevocationErrors}.
 */
public final class RevokeHttpService implements HttpService {
    private final Revoker revoker;

    /** Revocation over HTTP for the callers {@code roles} allow. */
    public RevokeHttpService(Revocations revocations, Roles roles) {
        this.revoker = new Revoker(revocations, roles, new RevocationMessages());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/revocations", this::revoke);
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        String answer;
        try {
            var caller = CallerIdentity.of(req.remotePeer().tlsCertificates());
            RevokeRequest.Builder request = RevokeRequest.newBuilder();
            JsonFormat.parser().merge(req.content().as(String.class), request);
            answer = RevocationMessages.json(revoker.revoke(caller, request.build()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            res.status(Status.SERVICE_UNAVAILABLE_503).send(error("interrupted"));
            return;
        } catch (Exception e) {
            RevocationErrors.HttpError error = RevocationErrors.http(e);
            res.status(Status.create(error.status())).send(error(error.message()));
            return;
        }
        res.send(answer);
    }

    private static String error(String message) {
        return JsonObject.builder().set("error", message == null ? "error" : message).build().toString();
    }
}
