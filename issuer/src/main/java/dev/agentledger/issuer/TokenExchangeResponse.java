package dev.agentledger.issuer;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.merkle.Hash;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A successful token exchange: the capability token with its log proof, and the RFC 8693 section
 * 2.2.1 response body.
 *
 * @param issued the capability token and the proof that its {@code CapabilityTokenIssued} entry is in the log
 * @param issuedAt when it was issued (for {@code expires_in})
 */
public record TokenExchangeResponse(LoggedCredential<CapabilityToken> issued, Instant issuedAt) {
    /** The {@code token_type}: {@code Bearer} (RFC 8693 section 2.2.1; the {@code cnf} binding does not change it, RFC 8705). */
    public static final String TOKEN_TYPE = "Bearer";

    /** Requires both parts. */
    public TokenExchangeResponse {
        Objects.requireNonNull(issued, "issued");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    /** The HTTP status of the response. */
    public int httpStatus() {
        return 200;
    }

    /** The {@code expires_in}: whole seconds from issuance to the token's expiry. */
    public long expiresIn() {
        return Duration.between(issuedAt, issued.credential().claims().expiresAt()).toSeconds();
    }

    /**
     * The response body: {@code access_token}, {@code issued_token_type}
     * ({@value TokenExchangeRequest#ACCESS_TOKEN_TYPE}), {@code token_type} {@code Bearer} (RFC 8693
     * section 2.2.1; the {@code cnf} binding does not change it, RFC 8705), {@code expires_in},
     * {@code scope} (the one action), and {@code agentledger_log}: {@code index}, {@code leaf_hash}
     * (base64), {@code checkpoint} (the signed note) and {@code proof} ({@code index},
     * {@code tree_size}, {@code hashes} in base64), the shapes of the log's JSON API. Send it as
     * {@code application/json} with {@code Cache-Control: no-store}.
     */
    public String json() {
        Map<String, Object> proof = new LinkedHashMap<>();
        proof.put("index", issued.proof().index());
        proof.put("tree_size", issued.proof().size());
        proof.put("hashes", issued.proof().hashes().stream().map(Hash::toBase64).toList());
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("index", issued.index());
        log.put("leaf_hash", issued.leafHash().toBase64());
        log.put("checkpoint", issued.checkpointNote());
        log.put("proof", proof);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.credential().token());
        body.put("issued_token_type", TokenExchangeRequest.ACCESS_TOKEN_TYPE);
        body.put("token_type", TOKEN_TYPE);
        body.put("expires_in", expiresIn());
        body.put("scope", issued.credential().claims().action());
        body.put("agentledger_log", log);
        return JSONObjectUtils.toJSONString(body);
    }

    /** Does not print the token. */
    @Override
    public String toString() {
        return "TokenExchangeResponse[" + issued.credential() + ", index=" + issued.index() + "]";
    }
}
