package dev.agentledger.server.demo;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.verifierclient.agent.Agent;
import dev.agentledger.verifierclient.agent.Svid;
import java.security.cert.X509Certificate;

/**
 * A spawned agent as the demo plays it: an agent SDK instance that joined with its one-time token
 * (its P-256 key was made in this process and never left it) and verified its SVID on arrival.
 *
 * @param agent the SDK's agent
 */
record DemoAgent(Agent agent) {
    /** Its ID. */
    SpiffeId spiffeId() {
        return agent.spiffeId();
    }

    /** The newest SVID and its key as mTLS client credentials. */
    Credentials credentials() {
        Svid svid = current();
        return new Credentials(svid.key(), svid.chain());
    }

    /** The newest SVID's certificate. */
    X509Certificate svid() {
        return current().certificate();
    }

    /** The log index of the newest SVID's issuance. */
    long logIndex() {
        return current().logIndex();
    }

    private Svid current() {
        return agent.svid().orElseThrow(() -> new IllegalStateException(agent.spiffeId() + " has no usable SVID (revoked or closed)"));
    }
}
