package dev.agentledger.server.issuance;

import dev.agentledger.issuer.JwtSvid;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/v1/console/login} on the private (mTLS) listener: an approver (or the
 * operator) gets a console JWT-SVID for its own SPIFFE ID ({@link ConsoleSvids}), logged as
 * {@code JwtSvidIssued} before the answer: {@code {"token", "token_id", "spiffe_id", "audience",
 * "expires_unix", "log_index"}}. Other callers get 403. There is no such route on the public
 * listener, so a console token cannot renew itself.
 */
public final class ConsoleLoginHttpService implements HttpService {
    private final ConsoleSvids svids;
    private final Roles roles;

    /** Issues {@code svids} to callers that {@code roles} make approvers. */
    public ConsoleLoginHttpService(ConsoleSvids svids, Roles roles) {
        this.svids = svids;
        this.roles = roles;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/console/login", this::login);
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = CallerIdentity.of(req.remotePeer().tlsCertificates());
            roles.require(caller, "sign in to the console as an approver", Role.APPROVER);
            LoggedCredential<JwtSvid> logged = svids.issue(caller);
            JwtSvid svid = logged.credential();
            return JsonObject.builder()
                    .set("token", svid.token())
                    .set("token_id", svid.tokenId())
                    .set("spiffe_id", svid.spiffeId().value())
                    .set("audience", JsonArray.create(svid.audience().stream().map(a -> (JsonValue) io.helidon.json.JsonString.create(a)).toList()))
                    .set("expires_unix", svid.expiresAt().getEpochSecond())
                    .set("log_index", logged.index())
                    .build();
        });
    }
}
