package dev.agentledger.server.ops;

import dev.agentledger.issuer.Issuer;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.issuance.JsonAnswers;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code POST /api/v1/keys/rotate} on the private mTLS listener, for the operator only: the body
 * {@code {"key": "ca" | "jwt-svid" | "access-token"}} names the key to replace now (the server
 * also rotates each key by itself when a third of its lifetime is left). The new key is logged
 * before it signs anything; the old one stays published while what it signed is valid. The answer
 * is {@code {"rotated", "bundle_sequence"}}.
 */
public final class KeyRotationHttpService implements HttpService {
    private final Issuer issuer;
    private final Roles roles;

    /** Rotation of {@code issuer}'s keys for the operator {@code roles} names. */
    public KeyRotationHttpService(Issuer issuer, Roles roles) {
        this.issuer = issuer;
        this.roles = roles;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/keys/rotate", this::rotate);
    }

    /** The name of {@code role} in requests and answers: {@code ca}, {@code jwt-svid}, {@code access-token}. */
    public static String name(Issuer.KeyRole role) {
        return role.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            roles.require(CallerIdentity.of(req.remotePeer().tlsCertificates()), "rotate keys");
            String key = JsonParser.create(req.content().as(byte[].class)).readJsonObject().stringValue("key").orElse("");
            Issuer.KeyRole role = Arrays.stream(Issuer.KeyRole.values()).filter(r -> name(r).equals(key)).findFirst()
                    .orElseThrow(() -> new JsonAnswers.BadRequest("give {\"key\": \"ca\"}, \"jwt-svid\" or \"access-token\"; not \""
                            + (key.length() > 40 ? key.substring(0, 40) + "..." : key) + "\""));
            issuer.rotate(role);
            return JsonObject.builder()
                    .set("rotated", name(role))
                    .set("bundle_sequence", issuer.trustBundle().sequence())
                    .build();
        });
    }
}
