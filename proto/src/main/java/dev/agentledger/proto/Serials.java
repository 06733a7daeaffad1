package dev.agentledger.proto;

import com.google.protobuf.ByteString;
import java.math.BigInteger;

/**
 * Certificate serial numbers as the log indexes and looks them up: the content octets of a DER
 * INTEGER (RFC 5280 section 4.1.2.2) as lower-case hex without leading zeros, exactly what {@code
 * new BigInteger(octets).toString(16)} prints, without its general radix conversion (which cost
 * more than the rest of indexing an entry).
 */
public final class Serials {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Serials() {}

    /** The hex form of {@code der}'s content octets; requires at least one octet. */
    public static String hex(ByteString der) {
        if (der.isEmpty()) {
            throw new IllegalArgumentException("serial has no octets");
        }
        if (der.byteAt(0) < 0) {
            return new BigInteger(der.toByteArray()).toString(16); // negative: rare, and signed
        }
        int first = 0;
        while (first < der.size() - 1 && der.byteAt(first) == 0) {
            first++;
        }
        StringBuilder hex = new StringBuilder(2 * (der.size() - first));
        int lead = der.byteAt(first) & 0xff;
        if (lead >= 0x10) {
            hex.append(DIGITS[lead >>> 4]);
        }
        hex.append(DIGITS[lead & 0xf]);
        for (int i = first + 1; i < der.size(); i++) {
            int b = der.byteAt(i) & 0xff;
            hex.append(DIGITS[b >>> 4]).append(DIGITS[b & 0xf]);
        }
        return hex.toString();
    }
}
