package dev.agentledger.server.cli;

import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.svid.X509SvidVerifier;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger verify token}: a capability token for one use, bound to its holder's X509-SVID. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {
            "Verifies a capability token as a tool would before acting: the holder's certificate",
            "(--cert) is an X509-SVID valid under the trust bundle, and the token is signed by one of",
            "the authority's published token keys, issued by its issuer, valid now, for exactly",
            "--audience, --action and --resource, and bound to that certificate (cnf x5t#S256).",
            "Single use and revocation need a tool's state and are not checked here.",
            "Example: agentledger verify token eyJ... --audience spiffe://agentledger.local/tool/billing",
            "  --action invoices:read --resource spiffe://agentledger.local/tool/billing --cert agent1/svid.pem"
        })
final class VerifyTokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "The capability token (compact JWS).")
    String token;

    @Option(names = "--audience", required = true, paramLabel = "AUD", description = "The tool the token must be for.")
    String audience;

    @Option(names = "--action", required = true, paramLabel = "ACTION", description = "The action about to be taken.")
    String action;

    @Option(names = "--resource", required = true, paramLabel = "RESOURCE", description = "The resource it is taken on.")
    String resource;

    @Option(names = "--cert", required = true, paramLabel = "PEM",
            description = "The holder's X509-SVID (PEM, leaf first), the certificate the token must be bound to.")
    Path cert;

    @Mixin
    PublicApiOptions api;

    @Mixin
    TrustDomainOptions authority;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PublicLogClient client = api.client();
        SpiffeBundle bundle = authority.bundle(client);
        var chain = Pem.readCertificates(cert);
        VerifiedX509Svid holder = VerifyCommand.check("holder X509-SVID " + cert,
                () -> X509SvidVerifier.verify(chain, bundle, Instant.now()));
        out.println("holder:     " + holder.spiffeId() + " (X509-SVID valid under the bundle)");
        TokenVerifier verifier = authority.tokenVerifier(client);
        CapabilityClaims claims = VerifyCommand.check("capability token",
                () -> verifier.verifyCapability(token, audience, action, resource, holder.certificate()));
        out.println("token id:   " + claims.id());
        out.println("subject:    " + claims.subject());
        out.println("user:       " + claims.actingUser());
        out.println("allows:     " + claims.action() + " on " + claims.resource() + " at " + claims.audience());
        out.println("expires:    " + claims.expiresAt());
        out.println("delegation: " + String.join(" ", claims.delegationIds()));
        out.println("verified: signed by the authority's token key, valid now, for this action and resource,"
                + " bound to " + holder.thumbprint());
        out.flush();
        return 0;
    }
}
