package dev.agentledger.issuer.policy;

import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.CedarMap;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The Cedar request and entities for an {@link ActionRequest}: {@code Agent::"<spiffe id>"} with
 * its attributes, {@code Action::"<action>"}, {@code Resource::"<resource>"} with its kind and
 * name, and the context with the gate's clock under {@code context.now}. The package
 * documentation lists every attribute.
 *
 * <p>The entities carry only the attributes the policy set reads, and the context only the keys it
 * reads unless a policy uses the context as a whole ({@link Reads}, which {@link CedarPolicy} finds
 * in its policies' JSON form): Cedar has no way to list a record's or an entity's attributes, so one
 * the policies never name cannot change a decision, and leaving it out spares the native library
 * parsing it, which costs microseconds per attribute. Every context value is still checked (a
 * reserved or non-numeric one refuses the request, read or not), and the logged request
 * ({@code PolicyEntries}) keeps everything.
 *
 * @param request the Cedar request
 * @param entities the principal and resource entities
 */
record CedarInput(AuthorizationRequest request, Set<Entity> entities) {
    /** The context key the gate fills with its clock; a request may not set it. */
    static final String NOW = "now";
    /** The context key the gate fills with the request's anomaly flags (a set of strings); a request may not set it. */
    static final String ANOMALIES = "anomalies";
    private static final EntityTypeName AGENT = EntityTypeName.parse("Agent").orElseThrow();
    private static final EntityTypeName ACTION = EntityTypeName.parse("Action").orElseThrow();
    private static final EntityTypeName RESOURCE = EntityTypeName.parse("Resource").orElseThrow();
    /** At most 18 digits, so every value fits a Cedar long (64-bit). */
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

    /**
     * What a policy set reads.
     *
     * @param attribute whether an entity attribute of this name may be read
     * @param contextKey whether the context key of this name may be read
     */
    record Reads(Predicate<String> attribute, Predicate<String> contextKey) {
        /** Everything: for a policy set whose reads are not known. */
        static final Reads ALL = new Reads(name -> true, name -> true);
    }

    /** A request's context that cannot be given to the policy. */
    static final class ContextException extends Exception {
        private static final long serialVersionUID = 1L;

        ContextException(String message) {
            super(message);
        }
    }

    /**
     * Maps {@code request} at {@code now}.
     *
     * @param numericKeys the context keys whose values are integers (e.g. {@code rows})
     * @param anomalies the flags of {@code AnomalySignals}, as {@code context.anomalies}
     * @param read what the policy set reads; the entities and the context carry only that
     * @throws ContextException if the context sets {@code now} or {@code anomalies}, or a numeric key holds no integer
     */
    static CedarInput of(ActionRequest request, Instant now, Set<String> numericKeys, Set<String> anomalies, Reads read)
            throws ContextException {
        EntityUID principal = AGENT.of(request.principal().value());
        Entity agent = new Entity(principal, readOnly(principalAttributes(request), read.attribute()), Set.of());
        EntityUID resource = RESOURCE.of(request.resource());
        Entity target = new Entity(resource, readOnly(resourceAttributes(request.resource()), read.attribute()), Set.of());
        Map<String, Value> context = new HashMap<>();
        for (Map.Entry<String, String> entry : request.context().entrySet()) {
            Value value = contextValue(entry.getKey(), entry.getValue(), numericKeys); // checked even if not read
            if (read.contextKey().test(entry.getKey())) {
                context.put(entry.getKey(), value);
            }
        }
        if (read.contextKey().test(NOW)) {
            context.put(NOW, clock(now));
        }
        if (read.contextKey().test(ANOMALIES)) {
            context.put(ANOMALIES, strings(List.copyOf(new TreeSet<>(anomalies))));
        }
        return new CedarInput(new AuthorizationRequest(principal, ACTION.of(request.action()), resource, context),
                Set.of(agent, target));
    }

    private static Map<String, Value> readOnly(Map<String, Value> attributes, Predicate<String> read) {
        Map<String, Value> kept = new HashMap<>();
        attributes.forEach((name, value) -> {
            if (read.test(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    private static Map<String, Value> principalAttributes(ActionRequest request) {
        SpiffeId id = request.principal();
        Map<String, Value> attributes = new HashMap<>();
        attributes.put("spiffeId", new PrimString(id.value()));
        attributes.put("trustDomain", new PrimString(id.trustDomain()));
        attributes.put("path", new PrimString(id.path()));
        attributes.put("name", new PrimString(agentName(id)));
        attributes.put("actors", strings(request.actors().stream().map(SpiffeId::value).toList()));
        attributes.put("chainDepth", new PrimLong(request.actors().size()));
        attributes.put("delegations", strings(request.delegationIds()));
        request.actingUser().ifPresent(user -> attributes.put("actingUser", new PrimString(user.value())));
        return attributes;
    }

    /** {@code <name>} of {@code /agent/<name>/...}; the last path segment of other IDs. */
    static String agentName(SpiffeId id) {
        String[] segments = id.path().split("/");
        if (segments.length >= 3 && segments[1].equals("agent")) {
            return segments[2];
        }
        return segments.length == 0 ? "" : segments[segments.length - 1];
    }

    private static Map<String, Value> resourceAttributes(String resource) {
        int colon = resource.indexOf(':');
        return Map.of(
                "kind", new PrimString(colon < 0 ? "" : resource.substring(0, colon)),
                "name", new PrimString(colon < 0 ? resource : resource.substring(colon + 1)));
    }

    private static Value contextValue(String key, String value, Set<String> numericKeys) throws ContextException {
        if (key.equals(NOW)) {
            throw new ContextException("context key \"" + NOW + "\" is reserved for the gate's clock");
        }
        if (key.equals(ANOMALIES)) {
            throw new ContextException("context key \"" + ANOMALIES + "\" is reserved for the gate's anomaly flags");
        }
        if (!numericKeys.contains(key)) {
            return new PrimString(value);
        }
        if (!INTEGER.matcher(value).matches()) {
            String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
            throw new ContextException("context " + key + "=\"" + shown + "\" is not an integer of at most 18 digits");
        }
        return new PrimLong(Long.parseLong(value));
    }

    /** {@code context.now}: hour, minute and weekday in UTC, and the Unix time in seconds. */
    private static Value clock(Instant now) {
        ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
        Map<String, Value> fields = new HashMap<>();
        fields.put("hourUtc", new PrimLong(utc.getHour()));
        fields.put("minuteUtc", new PrimLong(utc.getMinute()));
        fields.put("weekday", new PrimString(utc.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT)));
        fields.put("unixSeconds", new PrimLong(now.getEpochSecond()));
        return new CedarMap(fields);
    }

    private static Value strings(List<String> values) {
        return new CedarList(values.stream().map(v -> (Value) new PrimString(v)).toList());
    }
}
