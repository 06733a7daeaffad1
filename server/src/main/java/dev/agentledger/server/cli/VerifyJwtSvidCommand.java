package dev.agentledger.server.cli;

import dev.agentledger.verifierclient.svid.JwtSvidVerifier;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedJwtSvid;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger verify jwt-svid}: a JWT-SVID against the trust bundle's JWT authorities. */
@Command(name = "jwt-svid", mixinStandardHelpOptions = true,
        description = {
            "Verifies a JWT-SVID (SPIFFE JWT-SVID rules) against the jwt-svid keys of the trust bundle:",
            "header (alg ES/RS/PS only, kid of the bundle), signature, sub a SPIFFE ID of the trust",
            "domain, aud containing --audience, exp in the future.",
            "Example: agentledger verify jwt-svid eyJ... --audience tool:search"
        })
final class VerifyJwtSvidCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "The JWT-SVID (compact JWS).")
    String token;

    @Option(names = "--audience", required = true, paramLabel = "AUD", description = "The audience the token must be for.")
    String audience;

    @Mixin
    PublicApiOptions api;

    @Mixin
    TrustDomainOptions authority;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SpiffeBundle bundle = authority.bundle(api.client());
        VerifiedJwtSvid svid = VerifyCommand.check("JWT-SVID", () -> JwtSvidVerifier.verify(token, audience, bundle, Instant.now()));
        out.println("spiffe id:  " + svid.spiffeId());
        out.println("audience:   " + String.join(" ", svid.audience()));
        out.println("expires:    " + svid.expiresAt());
        svid.tokenId().ifPresent(id -> out.println("token id:   " + id));
        out.println("verified: signed by a jwt-svid key of the bundle of " + bundle.trustDomain()
                + " (sequence " + bundle.sequence() + "), for " + audience + ", not expired");
        out.flush();
        return 0;
    }
}
