package dev.agentledger.verifierclient.agent;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;

/**
 * A DER PKCS#10 certification request (RFC 2986 section 4) for a P-256 key, with an empty subject
 * and no attributes (the issuer takes the SPIFFE ID from the registration, never from the request),
 * signed with ecdsa-with-SHA256 (RFC 5758 section 3.2).
 */
final class CertificationRequest {
    /** AlgorithmIdentifier ecdsa-with-SHA256 (OID 1.2.840.10045.4.3.2, parameters absent). */
    private static final byte[] ECDSA_WITH_SHA256 = {0x30, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    /** [0] IMPLICIT SET OF Attribute, constructed. */
    private static final int ATTRIBUTES = 0xa0;

    private CertificationRequest() {}

    /**
     * The DER request for {@code key}.
     *
     * @throws GeneralSecurityException if the key cannot sign with SHA256withECDSA
     */
    static byte[] of(KeyPair key) throws GeneralSecurityException {
        byte[] info = tlv(SEQUENCE, concat(
                tlv(INTEGER, new byte[] {0}),
                tlv(SEQUENCE, new byte[0]),
                key.getPublic().getEncoded(),
                tlv(ATTRIBUTES, new byte[0])));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key.getPrivate());
        signer.update(info);
        byte[] signature = signer.sign();
        // A BIT STRING's first content octet counts the unused bits of the last one: none.
        byte[] bits = concat(new byte[] {0}, signature);
        return tlv(SEQUENCE, concat(info, ECDSA_WITH_SHA256, tlv(BIT_STRING, bits)));
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            // Long form, two length octets: requests here are far below 64 KiB.
            out.write(0x82);
            out.write(length >>> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
