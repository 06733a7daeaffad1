package dev.agentledger.ledger;

import java.nio.charset.StandardCharsets;

/**
 * A value log entries can be looked up by: the SPIFFE ID, certificate serial or token id an entry
 * is about. An entry may carry several.
 *
 * @param kind what the value is
 * @param value the value itself, 1 to 2048 UTF-8 bytes
 */
public record IndexKey(Kind kind, String value) {
    /** Longest value in UTF-8 bytes (a SPIFFE ID is at most 2048 bytes). */
    public static final int MAX_VALUE_BYTES = 2048;

    /** What an index key's value is. The byte is stored on disk: never renumber. */
    public enum Kind {
        /** A SPIFFE ID, {@code spiffe://trust-domain/path}. */
        SPIFFE_ID(1),
        /** An X.509 certificate serial number, lower-case hex without leading zeros. */
        SERIAL(2),
        /** A token id (JWT {@code jti}, delegation id, capability token id). */
        TOKEN_ID(3);

        final byte tag;

        Kind(int tag) {
            this.tag = (byte) tag;
        }
    }

    /** Validates the value; throws {@link IllegalArgumentException} when empty or too long. */
    public IndexKey {
        if (kind == null || value == null || value.isEmpty()) {
            throw new IllegalArgumentException("index key needs a kind and a non-empty value");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("index value longer than " + MAX_VALUE_BYTES + " bytes");
        }
    }
}
