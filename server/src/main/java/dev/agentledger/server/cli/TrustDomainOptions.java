package dev.agentledger.server.cli;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import picocli.CommandLine.Option;

/**
 * The trust domain a verifying command expects, and the public material it fetches for it: the
 * SPIFFE bundle ({@code /api/v1/bundle}) and the access-token keys ({@code /api/v1/token-keys}).
 */
final class TrustDomainOptions {
    @Option(names = "--trust-domain", paramLabel = "TD", defaultValue = "agentledger.local",
            description = "The trust domain the credential must belong to. Default: ${DEFAULT-VALUE}.")
    String trustDomain;

    /** The authority's SPIFFE bundle for the trust domain. */
    SpiffeBundle bundle(PublicLogClient api) throws CliException, IOException {
        String td = trustDomain();
        String json = new String(api.get("/api/v1/bundle"), StandardCharsets.UTF_8);
        return VerifyCommand.check("the trust bundle at /api/v1/bundle", () -> SpiffeBundle.parse(json, td));
    }

    /** A verifier of the tokens the trust domain's authority signs with its published keys. */
    TokenVerifier tokenVerifier(PublicLogClient api) throws CliException, IOException {
        String jwks = new String(api.get("/api/v1/token-keys"), StandardCharsets.UTF_8);
        TokenKeys keys = VerifyCommand.check("the token keys at /api/v1/token-keys", () -> TokenKeys.parse(jwks));
        return new TokenVerifier(keys, SpiffeId.of(trustDomain(), "agentledger/issuer").value(), InstantSource.system());
    }

    private String trustDomain() throws CliException {
        try {
            return SpiffeId.ofTrustDomain(trustDomain).trustDomain();
        } catch (IllegalArgumentException e) {
            throw new CliException("--trust-domain " + trustDomain + " is not a trust domain: " + e.getMessage(), e);
        }
    }
}
