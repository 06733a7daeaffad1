package dev.agentledger.merkle.note;

import java.util.Optional;

/**
 * A signature type identifier byte from c2sp.org/signed-note, section "Signature types": the byte
 * that goes into key IDs and verifier keys. Only the two Ed25519 types are supported.
 */
public enum SignatureType {
    /** {@code 0x01}: Ed25519 over the note text (c2sp.org/signed-note, "Ed25519 signatures"). */
    ED25519((byte) 0x01),
    /** {@code 0x04}: timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature). */
    COSIGNATURE_V1((byte) 0x04);

    private final byte id;

    SignatureType(byte id) {
        this.id = id;
    }

    /** The identifier byte. */
    public byte id() {
        return id;
    }

    /** The supported type with identifier {@code id}, or empty. */
    static Optional<SignatureType> fromId(byte id) {
        for (SignatureType type : values()) {
            if (type.id == id) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
