package dev.agentledger.issuer;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.svid.JwtSvidVerifier;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import java.time.InstantSource;

/** A relying party's check of JWT-SVIDs, with the verifier client, against the bundle the issuer serves. */
record JwtSvidCheck(TrustBundle bundle, String trustDomain, InstantSource clock) {
    SpiffeId verify(String token, String audience) throws VerificationException {
        return JwtSvidVerifier.verify(token, audience, SpiffeBundle.parse(bundle.json(), trustDomain), clock.instant()).spiffeId();
    }
}
