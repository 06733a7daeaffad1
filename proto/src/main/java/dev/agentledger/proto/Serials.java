package dev.agentledger.proto;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Certificate serial numbers as the log indexes and looks them up: the content octets of a DER
 * INTEGER (RFC 5280 section 4.1.2.2) as lower-case hex without leading zeros, exactly what {@code
 * new BigInteger(octets).toString(16)} prints, without its general radix conversion (which cost
 * more than the rest of indexing an entry).
 */
public final class Serials {
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Serials() {}

    /** The hex form of {@code der}'s content octets; requires at least one octet. */
    public static String hex(ByteString der) {
        if (der.isEmpty()) {
            throw new IllegalArgumentException("serial has no octets");
        }
        byte[] octets = der.toByteArray();
        if (octets[0] >= 0) {
            return digits(octets, "");
        }
        // Negative (two's complement): a minus and the magnitude, which is the octets inverted plus one.
        int carry = 1;
        for (int i = octets.length - 1; i >= 0; i--) {
            int v = (~octets[i] & 0xff) + carry;
            octets[i] = (byte) v;
            carry = v >>> 8;
        }
        return digits(octets, "-");
    }

    /** {@code sign} and the unsigned value of {@code octets} in hex without leading zeros. */
    private static String digits(byte[] octets, String sign) {
        int first = 0;
        while (first < octets.length - 1 && octets[first] == 0) {
            first++;
        }
        int lead = octets[first] & 0xff;
        int leadDigits = lead >= 0x10 ? 2 : 1;
        // ASCII only: filled as Latin-1 bytes, which the String keeps as they are.
        byte[] hex = new byte[sign.length() + leadDigits + 2 * (octets.length - first - 1)];
        int at = 0;
        for (int i = 0; i < sign.length(); i++) {
            hex[at++] = (byte) sign.charAt(i);
        }
        if (leadDigits == 2) {
            hex[at++] = DIGITS[lead >>> 4];
        }
        hex[at++] = DIGITS[lead & 0xf];
        for (int i = first + 1; i < octets.length; i++) {
            int b = octets[i] & 0xff;
            hex[at++] = DIGITS[b >>> 4];
            hex[at++] = DIGITS[b & 0xf];
        }
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@code der}'s content octets without redundant leading sign octets: the minimal two's
     * complement form, exactly what {@code new BigInteger(der).toByteArray()} gives and what
     * {@link #octets} gives for {@link #hex}'s form of the same serial, without going through text.
     * Requires at least one octet.
     */
    public static byte[] minimalOctets(ByteString der) {
        int length = der.size();
        if (length == 0) {
            throw new IllegalArgumentException("serial has no octets");
        }
        int first = 0;
        // An octet of all zero (all one) bits is redundant when the next octet's top bit says the same sign.
        while (first < length - 1 && (der.byteAt(first) == 0 && der.byteAt(first + 1) >= 0
                || der.byteAt(first) == -1 && der.byteAt(first + 1) < 0)) {
            first++;
        }
        return der.substring(first).toByteArray();
    }

    /**
     * The minimal two's complement octets of the serial written in hex (as {@link #hex} prints, or
     * with upper-case digits, leading zeros or a leading minus): exactly what {@code new
     * BigInteger(hex, 16).toByteArray()} gives, without its general radix conversion for the usual
     * non-negative ASCII form.
     *
     * @throws NumberFormatException if {@code hex} is not a hexadecimal number
     */
    public static byte[] octets(String hex) {
        int first = 0;
        while (first < hex.length() - 1 && hex.charAt(first) == '0') {
            first++;
        }
        int digits = hex.length() - first;
        if (digits == 0) {
            throw new NumberFormatException("zero length hex serial");
        }
        // A leading octet of 0x00 keeps a value whose top bit is set non-negative.
        int lead = nibble(hex.charAt(first));
        boolean pad = digits % 2 == 0 && lead >= 8;
        byte[] out = new byte[(digits + 1) / 2 + (pad ? 1 : 0)];
        int at = out.length - 1;
        for (int i = hex.length() - 1; i >= first; i -= 2) {
            int low = nibble(hex.charAt(i));
            int high = i - 1 >= first ? nibble(hex.charAt(i - 1)) : 0;
            if (low < 0 || high < 0) {
                return new BigInteger(hex, 16).toByteArray(); // a sign or non-ASCII digits: the general form
            }
            out[at--] = (byte) (high << 4 | low);
        }
        return out;
    }

    /** The value of an ASCII hex digit, or -1. */
    private static int nibble(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
