package dev.agentledger.server.issuance;

import dev.agentledger.issuer.Consumptions;
import dev.agentledger.issuer.Delegation;
import dev.agentledger.issuer.DelegationRequest;
import dev.agentledger.issuer.Delegations;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.issuer.TokenExchange;
import dev.agentledger.issuer.TokenExchangeException;
import dev.agentledger.issuer.TokenExchangeRequest;
import dev.agentledger.issuer.TokenExchangeResponse;
import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The authorization routes of the private (mTLS) listener:
 * <ul>
 * <li>{@code POST /oauth2/token}: the RFC 8693 token exchange (form-encoded; OAuth error JSON),
 *     for agents: their delegation chain in, a capability token bound to their certificate out;
 * <li>{@code POST /api/v1/delegations}: a user (role {@code user}) grants a root delegation, or an
 *     agent (role {@code agent}) narrows its chain for another agent (JSON: {@code delegate},
 *     {@code scopes}, {@code resources}, {@code lifetime_seconds}, {@code max_depth}, and
 *     {@code chain} for a sub-delegation). The answer carries the chain and its log proof.
 * <li>{@code POST /api/v1/tokens/consume}: a tool (role {@code tool}) spends a capability token
 *     once, centrally, for tools that run as several replicas (JSON {@code {"token": ...}}; 200 with
 *     the {@code TokenConsumed} entry's proof, 409 if it was used before).
 * </ul>
 * Bodies are limited to {@value #MAX_BODY_BYTES} bytes; every answer is {@code no-store}.
 */
public final class AuthorizationHttpService implements HttpService {
    /** The largest request body. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final TokenExchange exchange;
    private final Delegations delegations;
    private final Roles roles;
    private final Consumptions consumptions;
    private final dev.agentledger.server.observe.IssuanceMeters meters = dev.agentledger.server.observe.IssuanceMeters.global();

    /** Routes over {@code exchange} and {@code delegations}, authorizing callers by {@code roles}. */
    public AuthorizationHttpService(TokenExchange exchange, Delegations delegations, Consumptions consumptions, Roles roles) {
        this.exchange = exchange;
        this.delegations = delegations;
        this.consumptions = consumptions;
        this.roles = roles;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/oauth2/token", this::token)
                .post("/api/v1/delegations", this::delegate)
                .post("/api/v1/tokens/consume", this::consume);
    }

    private void token(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            Map<String, List<String>> form = form(body(req));
            TokenExchangeResponse answer = exchange.exchange(TokenExchangeRequest.parse(form), leaf(req));
            meters.issued("capability_token");
            res.status(Status.create(answer.httpStatus())).send(answer.json());
        } catch (TokenExchangeException e) {
            meters.refused("capability_token", e.error().code());
            if (e.error() == TokenExchangeException.Error.SERVER_ERROR) {
                System.getLogger(AuthorizationHttpService.class.getName()).log(System.Logger.Level.ERROR,
                        "token exchange failed on the server's side", e);
            }
            res.status(Status.create(e.httpStatus())).send(e.json());
        } catch (JsonAnswers.BadRequest e) {
            res.status(Status.BAD_REQUEST_400).send(JsonObject.builder()
                    .set("error", "invalid_request").set("error_description", e.getMessage()).build().toString());
        }
    }

    private void delegate(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = CallerIdentity.of(req.remotePeer().tlsCertificates());
            JsonObject body = JsonParser.create(body(req)).readJsonObject();
            DelegationRequest request = new DelegationRequest(SpiffeId.parse(body.stringValue("delegate", "")),
                    strings(body, "scopes"), strings(body, "resources"),
                    Duration.ofSeconds(body.longValue("lifetime_seconds", 3600)), body.intValue("max_depth", 0));
            Optional<String> chain = body.stringValue("chain");
            LoggedCredential<Delegation> granted;
            try {
                if (chain.isPresent()) {
                    roles.require(caller, "sub-delegate", Role.AGENT);
                    granted = delegations.subDelegate(caller, chain.get(), request);
                } else {
                    roles.require(caller, "delegate", Role.USER);
                    granted = delegations.grant(caller, request);
                }
            } catch (IssuanceException e) {
                meters.refused("delegation", e.reason().name());
                throw e;
            }
            meters.issued("delegation");
            return JsonObject.builder()
                    .set("delegation_id", granted.credential().claims().id())
                    .set("chain", granted.credential().chain())
                    .set("expires_unix", granted.credential().claims().expiresAt().getEpochSecond())
                    .set("log", logged(granted))
                    .build();
        });
    }

    private void consume(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = CallerIdentity.of(req.remotePeer().tlsCertificates());
            roles.require(caller, "consume tokens", Role.TOOL);
            String token = JsonParser.create(body(req)).readJsonObject().stringValue("token", "");
            LoggedCredential<String> consumed = consumptions.consume(caller, token);
            return JsonObject.builder().set("token_id", consumed.credential()).set("log", logged(consumed)).build();
        });
    }

    /** The log position of a credential, in the JSON API's shapes. */
    static JsonObject logged(LoggedCredential<?> logged) {
        List<JsonValue> hashes = new ArrayList<>();
        for (Hash hash : logged.proof().hashes()) {
            hashes.add(io.helidon.json.JsonString.create(hash.toBase64()));
        }
        return JsonObject.builder()
                .set("index", logged.index())
                .set("leaf_hash", logged.leafHash().toBase64())
                .set("checkpoint", logged.checkpointNote())
                .set("proof", JsonObject.builder().set("index", logged.proof().index())
                        .set("tree_size", logged.proof().size()).set("hashes", JsonArray.create(hashes)).build())
                .build();
    }

    private static List<String> strings(JsonObject body, String name) throws JsonAnswers.BadRequest {
        List<String> values = new ArrayList<>();
        for (JsonValue value : body.arrayValue(name).orElseThrow(() -> new JsonAnswers.BadRequest(name + " is missing: want an array of strings")).values()) {
            values.add(value.asString().value());
        }
        return values;
    }

    private static Optional<X509Certificate> leaf(ServerRequest req) {
        Optional<Certificate[]> chain = req.remotePeer().tlsCertificates();
        return chain.filter(c -> c.length > 0 && c[0] instanceof X509Certificate).map(c -> (X509Certificate) c[0]);
    }

    private static String body(ServerRequest req) throws IOException, JsonAnswers.BadRequest {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new JsonAnswers.BadRequest("request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code application/x-www-form-urlencoded} (RFC 6749 appendix B), every value of every name kept. */
    static Map<String, List<String>> form(String body) throws JsonAnswers.BadRequest {
        Map<String, List<String>> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&", -1)) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                form.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw new JsonAnswers.BadRequest("the form is not application/x-www-form-urlencoded: " + e.getMessage());
            }
        }
        return form;
    }
}
