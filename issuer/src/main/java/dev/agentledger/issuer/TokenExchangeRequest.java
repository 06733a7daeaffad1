package dev.agentledger.issuer;

import dev.agentledger.issuer.TokenExchangeException.Error;
import dev.agentledger.verifierclient.tokens.AccessPattern;
import dev.agentledger.verifierclient.tokens.AuthorizationDetails;
import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.TokenException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An RFC 8693 token exchange request (section 2.1) for a capability token, read strictly from its
 * form parameters, independent of the transport.
 *
 * <p>Rules: no parameter may appear twice (RFC 6749 section 3.2); an empty value counts as absent;
 * unknown parameters are ignored. {@code grant_type} must be {@value #GRANT_TYPE}.
 * {@code subject_token} and {@code subject_token_type} are required, the type being
 * {@link DelegationChain#TOKEN_TYPE}. {@code actor_token_type} is present exactly when
 * {@code actor_token} is, and is {@value #JWT_TOKEN_TYPE} (the actor's JWT-SVID). {@code resource}
 * (RFC 8707) is one absolute URI without fragment: the tool; {@code audience}, if given, must equal
 * it. {@code scope} is exactly one action. {@code requested_token_type}, if given, is
 * {@value #ACCESS_TOKEN_TYPE} or {@value #JWT_TOKEN_TYPE}. {@code authorization_details} is
 * optional (RFC 9396). {@code approval_id} (an AgentLedger extension) names the approval to use
 * after an {@code authorization_pending} answer.
 *
 * @param subjectToken the serialized delegation chain
 * @param actorToken the actor's JWT-SVID, if sent
 * @param action the one action ({@code scope})
 * @param resource the one tool ({@code resource})
 * @param authorizationDetails RFC 9396 details, if sent
 * @param approvalId the approval to use, if sent
 */
public record TokenExchangeRequest(String subjectToken, Optional<String> actorToken, String action, String resource,
        Optional<AuthorizationDetails> authorizationDetails, Optional<String> approvalId) {
    /** The token exchange grant type (RFC 8693 section 2.1). */
    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    /** The token type of a JWT (RFC 8693 section 3), here the actor's JWT-SVID. */
    public static final String JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    /** The token type of an access token (RFC 8693 section 3): what the exchange issues. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    /** The longest value of a parameter other than the subject token and authorization details. */
    public static final int MAX_PARAMETER_LENGTH = 8 * 1024;
    private static final Pattern APPROVAL_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    /** Requires every part. */
    public TokenExchangeRequest {
        Objects.requireNonNull(subjectToken, "subjectToken");
        Objects.requireNonNull(actorToken, "actorToken");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(authorizationDetails, "authorizationDetails");
        Objects.requireNonNull(approvalId, "approvalId");
    }

    /**
     * Reads a request from its form parameters (names to every value sent, in order).
     *
     * @throws TokenExchangeException with the OAuth error of the first rule broken
     */
    public static TokenExchangeRequest parse(Map<String, List<String>> form) throws TokenExchangeException {
        for (Map.Entry<String, List<String>> parameter : form.entrySet()) {
            if (parameter.getValue().size() > 1) {
                throw new TokenExchangeException(Error.INVALID_REQUEST, "parameter " + parameter.getKey()
                        + " is sent " + parameter.getValue().size() + " times (RFC 6749 section 3.2)");
            }
        }
        Optional<String> grantType = value(form, "grant_type", MAX_PARAMETER_LENGTH);
        if (grantType.isEmpty()) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "grant_type is missing");
        }
        if (!grantType.get().equals(GRANT_TYPE)) {
            throw new TokenExchangeException(Error.UNSUPPORTED_GRANT_TYPE, "grant_type is " + grantType.get() + ", want " + GRANT_TYPE);
        }
        String subjectToken = required(form, "subject_token", DelegationChain.MAX_LENGTH);
        String subjectTokenType = required(form, "subject_token_type", MAX_PARAMETER_LENGTH);
        if (!subjectTokenType.equals(DelegationChain.TOKEN_TYPE)) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "subject_token_type is " + subjectTokenType + ", want " + DelegationChain.TOKEN_TYPE);
        }
        Optional<String> actorToken = value(form, "actor_token", MAX_PARAMETER_LENGTH);
        Optional<String> actorTokenType = value(form, "actor_token_type", MAX_PARAMETER_LENGTH);
        if (actorToken.isPresent() != actorTokenType.isPresent()) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "actor_token_type must be sent exactly when actor_token is (RFC 8693 section 2.1)");
        }
        if (actorTokenType.isPresent() && !actorTokenType.get().equals(JWT_TOKEN_TYPE)) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "actor_token_type is " + actorTokenType.get() + ", want " + JWT_TOKEN_TYPE);
        }
        Optional<String> requested = value(form, "requested_token_type", MAX_PARAMETER_LENGTH);
        if (requested.isPresent() && !requested.get().equals(ACCESS_TOKEN_TYPE) && !requested.get().equals(JWT_TOKEN_TYPE)) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "requested_token_type " + requested.get() + " cannot be issued; want "
                    + ACCESS_TOKEN_TYPE);
        }
        String resource = resource(form);
        String action = action(form);
        Optional<AuthorizationDetails> details = Optional.empty();
        Optional<String> detailsText = value(form, "authorization_details", AuthorizationDetails.MAX_LENGTH);
        if (detailsText.isPresent()) {
            try {
                details = Optional.of(AuthorizationDetails.parse(detailsText.get()));
            } catch (TokenException e) {
                throw new TokenExchangeException(Error.INVALID_AUTHORIZATION_DETAILS, e.getMessage());
            }
        }
        Optional<String> approvalId = value(form, "approval_id", MAX_PARAMETER_LENGTH);
        if (approvalId.isPresent() && !APPROVAL_ID.matcher(approvalId.get()).matches()) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, "approval_id is not 1 to 128 URL-safe characters");
        }
        return new TokenExchangeRequest(subjectToken, actorToken, action, resource, details, approvalId);
    }

    private static String resource(Map<String, List<String>> form) throws TokenExchangeException {
        String resource = value(form, "resource", MAX_PARAMETER_LENGTH).orElseThrow(
                () -> new TokenExchangeException(Error.INVALID_TARGET, "resource is missing: name the one tool (RFC 8707)"));
        try {
            URI uri = new URI(resource);
            if (!uri.isAbsolute() || uri.getRawFragment() != null || !AccessPattern.isValue(resource)) {
                throw new TokenExchangeException(Error.INVALID_TARGET, "resource is not an absolute URI without fragment (RFC 8707 section 2)");
            }
        } catch (URISyntaxException e) {
            throw new TokenExchangeException(Error.INVALID_TARGET, "resource is not a URI: " + e.getMessage());
        }
        Optional<String> audience = value(form, "audience", MAX_PARAMETER_LENGTH);
        if (audience.isPresent() && !audience.get().equals(resource)) {
            throw new TokenExchangeException(Error.INVALID_TARGET, "audience " + audience.get() + " is not the resource " + resource);
        }
        return resource;
    }

    private static String action(Map<String, List<String>> form) throws TokenExchangeException {
        String scope = value(form, "scope", MAX_PARAMETER_LENGTH).orElseThrow(
                () -> new TokenExchangeException(Error.INVALID_SCOPE, "scope is missing: name the one action"));
        if (scope.contains(" ")) {
            throw new TokenExchangeException(Error.INVALID_SCOPE, "scope names " + scope.split(" ").length + " actions, want exactly one");
        }
        if (!AccessPattern.isValue(scope)) {
            throw new TokenExchangeException(Error.INVALID_SCOPE, "scope is not one action (printable ASCII, no '*')");
        }
        return scope;
    }

    private static String required(Map<String, List<String>> form, String name, int maxLength) throws TokenExchangeException {
        return value(form, name, maxLength).orElseThrow(() -> new TokenExchangeException(Error.INVALID_REQUEST, name + " is missing"));
    }

    /** The single value of {@code name}; empty when absent or empty (RFC 6749 section 3.2). */
    private static Optional<String> value(Map<String, List<String>> form, String name, int maxLength) throws TokenExchangeException {
        List<String> values = form.getOrDefault(name, List.of());
        if (values.isEmpty() || values.get(0) == null || values.get(0).isEmpty()) {
            return Optional.empty();
        }
        String value = values.get(0);
        if (value.length() > maxLength) {
            throw new TokenExchangeException(Error.INVALID_REQUEST, name + " has " + value.length() + " characters, want at most " + maxLength);
        }
        return Optional.of(value);
    }

    /** Does not print the tokens. */
    @Override
    public String toString() {
        return "TokenExchangeRequest[scope=" + action + ", resource=" + resource + ", actor_token=" + actorToken.isPresent()
                + ", authorization_details=" + authorizationDetails.map(AuthorizationDetails::json).orElse("none")
                + ", approval_id=" + approvalId.orElse("none") + "]";
    }
}
