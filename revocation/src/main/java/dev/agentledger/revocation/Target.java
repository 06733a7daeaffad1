package dev.agentledger.revocation;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.proto.Serials;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.User;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a revocation names: one of the {@code target} cases of {@code Revoked} in
 * {@code log_entry.proto}. Values are in the form the log's lookup index uses: a SPIFFE ID in URI
 * form, a serial as lower-case hex without leading zeros, a user as {@code issuer#subject}.
 *
 * @param kind which case
 * @param value the value, non-empty
 */
public record Target(Kind kind, String value) {
    /** The target cases of {@code Revoked}. */
    public enum Kind {
        /** Every credential of a SPIFFE ID. */
        SPIFFE_ID,
        /** One X.509-SVID by serial. */
        SERIAL,
        /** One JWT by {@code jti}. */
        TOKEN_ID,
        /** One delegation (and with cascade everything under it). */
        DELEGATION,
        /** Every credential of one registered agent instance. */
        AGENT_INSTANCE,
        /** Every delegation a user granted. */
        USER
    }

    /** Checks the value is non-empty and well formed for its kind; throws {@link IllegalArgumentException}. */
    public Target {
        Objects.requireNonNull(kind, "kind");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " target is empty");
        }
        switch (kind) {
            case SPIFFE_ID -> SpiffeId.parse(value);
            case SERIAL -> value = serialForm(value);
            case USER -> {
                int hash = value.indexOf('#');
                if (hash <= 0 || hash == value.length() - 1) {
                    throw new IllegalArgumentException("user target \"" + value + "\" is not issuer#subject");
                }
            }
            default -> { }
        }
    }

    /** The target of a SPIFFE ID. */
    public static Target spiffeId(String id) {
        return new Target(Kind.SPIFFE_ID, id);
    }

    /** The target of a serial given in hex (colons and leading zeros allowed). */
    public static Target serial(String hex) {
        return new Target(Kind.SERIAL, hex);
    }

    /** The target of a JWT id. */
    public static Target tokenId(String jti) {
        return new Target(Kind.TOKEN_ID, jti);
    }

    /** The target of a delegation id. */
    public static Target delegation(String id) {
        return new Target(Kind.DELEGATION, id);
    }

    /** The target of an agent instance. */
    public static Target agentInstance(String instance) {
        return new Target(Kind.AGENT_INSTANCE, instance);
    }

    /** The target of a user named by their identity provider's issuer and subject. */
    public static Target user(String issuer, String subject) {
        return new Target(Kind.USER, userKey(issuer, subject));
    }

    /** The user key {@code issuer#subject} used for users throughout this module. */
    static String userKey(String issuer, String subject) {
        return issuer + "#" + subject;
    }

    /** The user key of a logged user, or null when unset. */
    static String userKey(User user) {
        return user.getIssuer().isEmpty() && user.getSubject().isEmpty() ? null : userKey(user.getIssuer(), user.getSubject());
    }

    /** The target a logged {@code Revoked} names, or empty if it names none (or a malformed one). */
    static Optional<Target> of(Revoked revoked) {
        try {
            return Optional.ofNullable(switch (revoked.getTargetCase()) {
                case SPIFFE_ID -> spiffeId(revoked.getSpiffeId());
                case SERIAL -> new Target(Kind.SERIAL, serialHex(revoked.getSerial()));
                case TOKEN_ID -> tokenId(revoked.getTokenId());
                case DELEGATION_ID -> delegation(revoked.getDelegationId());
                case AGENT_INSTANCE -> agentInstance(revoked.getAgentInstance());
                case USER -> new Target(Kind.USER, userKey(revoked.getUser().getIssuer(), revoked.getUser().getSubject()));
                case TARGET_NOT_SET -> null;
            });
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Sets this target on a {@code Revoked} builder. */
    void setOn(Revoked.Builder revoked) {
        switch (kind) {
            case SPIFFE_ID -> revoked.setSpiffeId(value);
            case SERIAL -> revoked.setSerial(serialBytes(value));
            case TOKEN_ID -> revoked.setTokenId(value);
            case DELEGATION -> revoked.setDelegationId(value);
            case AGENT_INSTANCE -> revoked.setAgentInstance(value);
            case USER -> {
                int hash = value.indexOf('#');
                revoked.setUser(User.newBuilder().setIssuer(value.substring(0, hash)).setSubject(value.substring(hash + 1)));
            }
        }
    }

    /** DER INTEGER content octets as lower-case hex without leading zeros (the log's lookup form). */
    static String serialHex(ByteString der) {
        if (der.isEmpty()) {
            throw new IllegalArgumentException("serial is empty");
        }
        return Serials.hex(der);
    }

    /** The DER INTEGER content octets of a serial in this class's hex form (as in {@link AffectedIds}). */
    public static ByteString serialBytes(String hex) {
        return UnsafeByteOperations.unsafeWrap(Serials.octets(hex));
    }

    private static String serialForm(String hex) {
        if (isSerialForm(hex)) {
            return hex; // already what the radix conversion below would give
        }
        String digits = hex.replace(":", "").toLowerCase(Locale.ROOT);
        try {
            return new BigInteger(digits, 16).toString(16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("serial \"" + hex + "\" is not hexadecimal");
        }
    }

    /** Whether {@code hex} is non-empty lower-case hex digits without a leading zero (or just "0"). */
    private static boolean isSerialForm(String hex) {
        if (hex.isEmpty() || (hex.charAt(0) == '0' && hex.length() > 1)) {
            return false;
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " " + value;
    }
}
