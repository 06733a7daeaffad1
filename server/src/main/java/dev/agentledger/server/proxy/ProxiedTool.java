package dev.agentledger.server.proxy;

import dev.agentledger.server.proxy.ProxyConfig.Injection;
import dev.agentledger.server.proxy.ProxyConfig.Upstream;
import dev.agentledger.server.proxy.RoutePattern.Operation;
import dev.agentledger.verifierclient.guard.ToolGuard;
import dev.agentledger.verifierclient.replay.SingleUse;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One upstream as the running proxy serves it: its routes, the guard that admits calls for its
 * audience (spending tokens at the authority as this upstream's identity), the per-caller limits,
 * the recorder that logs its calls, and the secret to inject.
 *
 * @param name the upstream's SPIFFE ID (the tokens' audience)
 * @param prefix the path prefix it is served under
 * @param base its base URL
 * @param routes its routes, first match wins
 * @param guard admits calls for {@code name}
 * @param limits the rate limit and quota per caller
 * @param recorder logs its calls as its identity
 * @param inject the secret to send upstream, if any
 * @param consumption spends tokens at the authority, as {@code name}
 * @param spendsInJournal whether the proxy's call journal is the single-use point of its tokens
 *     instead (their audience is the proxy's own identity, so no one else accepts them)
 */
record ProxiedTool(String name, String prefix, URI base, List<RoutePattern> routes, ToolGuard guard, TokenBuckets limits,
        ToolCallRecorder recorder, Optional<Injection> inject, SingleUse consumption, boolean spendsInJournal) {
    ProxiedTool {
        routes = List.copyOf(routes);
    }

    /** The limits of {@code upstream}: its rate limit and quota, either or both optional. */
    static List<TokenBuckets.Limit> limitsOf(Upstream upstream) {
        List<TokenBuckets.Limit> limits = new java.util.ArrayList<>();
        if (upstream.rateLimit() != null) {
            limits.add(new TokenBuckets.Limit("rate limit", upstream.rateLimit().burst(), upstream.rateLimit().perSecond()));
        }
        if (upstream.quota() != null) {
            limits.add(new TokenBuckets.Limit("quota", upstream.quota().calls(),
                    upstream.quota().calls() / (double) upstream.quota().perSeconds()));
        }
        return limits;
    }

    /** The operation {@code method} on {@code path} (decoded, below the prefix) performs, by the first matching route. */
    Optional<Operation> operation(String method, String path) {
        for (RoutePattern route : routes) {
            Optional<Operation> operation = route.match(method, path);
            if (operation.isPresent()) {
                return operation;
            }
        }
        return Optional.empty();
    }
}
