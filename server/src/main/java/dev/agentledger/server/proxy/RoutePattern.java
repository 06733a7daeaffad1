package dev.agentledger.server.proxy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One configured route of an upstream: a method and a path pattern (literal segments,
 * {@code {name}} for exactly one segment, a final {@code **} for one or more further segments),
 * and the action and resource a call to it performs. Matching is on the decoded path; the proxy
 * refuses paths with {@code .} or {@code ..} segments before matching, so a pattern cannot be
 * escaped by traversal. Immutable.
 */
final class RoutePattern {
    private static final String REST = "**";

    /**
     * What a matched call does.
     *
     * @param action the action a capability token must grant
     * @param resource the resource it must grant
     * @param approvalRequired whether the token's issuance must cite a human approval
     */
    record Operation(String action, String resource, boolean approvalRequired) {}

    private final String method;
    private final List<String> segments;
    private final String action;
    private final String resource;
    private final boolean approvalRequired;

    private RoutePattern(String method, List<String> segments, String action, String resource, boolean approvalRequired) {
        this.method = method;
        this.segments = segments;
        this.action = action;
        this.resource = resource;
        this.approvalRequired = approvalRequired;
    }

    /**
     * Compiles {@code route}; the resource defaults to {@code upstreamName}.
     *
     * @throws IllegalArgumentException if the path does not start with '/', has an empty segment,
     *     a {@code **} before the end, or the resource names a parameter the path does not have
     */
    static RoutePattern compile(dev.agentledger.server.proxy.ProxyConfig.Route route, String upstreamName) {
        String path = route.path();
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', got " + path);
        }
        List<String> segments = path.equals("/") ? List.of() : List.of(path.substring(1).split("/", -1));
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("route path " + path + " has an empty, '.' or '..' segment");
            }
            if (segment.equals(REST) && i != segments.size() - 1) {
                throw new IllegalArgumentException("route path " + path + ": '**' may only end a pattern");
            }
        }
        String resource = route.resource() == null ? upstreamName : route.resource();
        for (String name : parameters(resource)) {
            if (!segments.contains("{" + name + "}")) {
                throw new IllegalArgumentException("route resource " + resource + " names {" + name + "}, which " + path + " lacks");
            }
        }
        return new RoutePattern(route.method().toUpperCase(Locale.ROOT), segments, route.action(), resource,
                Boolean.TRUE.equals(route.requiresApproval()));
    }

    /** What {@code method} on {@code path} (decoded, under the upstream's prefix, starting with '/') does, if this route matches. */
    Optional<Operation> match(String method, String path) {
        if (!this.method.equals(method)) {
            return Optional.empty();
        }
        List<String> parts = path.equals("/") || path.isEmpty() ? List.of() : List.of(path.substring(1).split("/", -1));
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String pattern = segments.get(i);
            if (pattern.equals(REST)) {
                return parts.size() > i ? Optional.of(operation(values)) : Optional.empty();
            }
            if (i >= parts.size() || parts.get(i).isEmpty()) {
                return Optional.empty();
            }
            if (pattern.startsWith("{") && pattern.endsWith("}")) {
                values.put(pattern.substring(1, pattern.length() - 1), parts.get(i));
            } else if (!pattern.equals(parts.get(i))) {
                return Optional.empty();
            }
        }
        return parts.size() == segments.size() ? Optional.of(operation(values)) : Optional.empty();
    }

    private Operation operation(Map<String, String> values) {
        String filled = resource;
        for (Map.Entry<String, String> value : values.entrySet()) {
            filled = filled.replace("{" + value.getKey() + "}", value.getValue());
        }
        return new Operation(action, filled, approvalRequired);
    }

    private static List<String> parameters(String template) {
        List<String> names = new java.util.ArrayList<>();
        int at = template.indexOf('{');
        while (at >= 0) {
            int end = template.indexOf('}', at);
            if (end < 0) {
                break;
            }
            names.add(template.substring(at + 1, end));
            at = template.indexOf('{', end);
        }
        return names;
    }

    @Override
    public String toString() {
        return method + " /" + String.join("/", segments) + " -> " + action + " on " + resource;
    }
}
