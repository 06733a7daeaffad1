package dev.agentledger.server.cli;

import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger verify chain}: a delegation chain, hop by hop, with the published token keys. */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = {
            "Verifies a delegation chain (delegation tokens joined by ~, root first) with the",
            "authority's published token keys: each hop's ES256 signature, type, issuer, audience and",
            "validity now; the first hop a root delegation; each further hop within its parent",
            "(scopes, resources, time, depth, linkage)."
        })
final class VerifyChainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHAIN", description = "The serialized delegation chain.")
    String chain;

    @Mixin
    PublicApiOptions api;

    @Mixin
    TrustDomainOptions authority;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TokenVerifier verifier = authority.tokenVerifier(api.client());
        DelegationChain verified = VerifyCommand.check("delegation chain", () -> verifier.verifyDelegationChain(chain));
        out.println("user:       " + verified.user());
        out.println("delegate:   " + verified.delegate());
        int hop = 1;
        for (DelegationClaims claims : verified.hops()) {
            out.println("hop " + hop++ + ":      " + claims.id() + " to " + claims.delegate() + ", scopes "
                    + String.join(" ", claims.scopes()) + ", resources " + String.join(" ", claims.resources())
                    + ", expires " + claims.expiresAt());
        }
        out.println("verified: " + verified.hops().size() + " hops signed by the authority's token keys, each within its parent, valid now");
        out.flush();
        return 0;
    }
}
