package dev.agentledger.verifierclient.monitor;

import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.internal.JsonText;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One logged event in the monitor's inventory, flattened to the columns an auditor asks about.
 * Fields an event does not have are empty strings (or 0 for times).
 *
 * @param index the entry's log index
 * @param timeMillis the entry header's time, ms since the Unix epoch
 * @param kind the event kind as {@code LogEntries.kind} names it (e.g. {@code x509_svid_issued}),
 *     or {@code malformed} for bytes that are not a valid entry
 * @param spiffeId the SPIFFE ID the event is about: holder, subject, delegate, principal, or the
 *     revoked ID
 * @param agentInstance the registered agent instance, when the event names one
 * @param serial an X.509 serial number, lower-case hex of the DER INTEGER content octets
 * @param tokenId a JWT {@code jti}: JWT-SVID, delegation or capability token
 * @param delegationId a delegation id
 * @param notBeforeMillis start of validity, ms since the epoch, 0 when none
 * @param notAfterMillis end of validity (or registration expiry), ms since the epoch, 0 when none
 * @param detail the rest, for humans: actions, resources, decisions, reasons
 */
public record InventoryRecord(long index, long timeMillis, String kind, String spiffeId, String agentInstance,
        String serial, String tokenId, String delegationId, long notBeforeMillis, long notAfterMillis,
        String detail) {
    /** The column names, in order, for CSV and JSON. */
    public static final List<String> COLUMNS = List.of("index", "time_unix_millis", "kind", "spiffe_id",
            "agent_instance", "serial", "token_id", "delegation_id", "not_before_unix_millis",
            "not_after_unix_millis", "detail");

    /** Requires non-null strings and a non-negative index. */
    public InventoryRecord {
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " < 0");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(agentInstance, "agentInstance");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(delegationId, "delegationId");
        Objects.requireNonNull(detail, "detail");
    }

    /** The values in {@link #COLUMNS} order, numbers in decimal. */
    public List<String> values() {
        return List.of(Long.toString(index), Long.toString(timeMillis), kind, spiffeId, agentInstance, serial,
                tokenId, delegationId, Long.toString(notBeforeMillis), Long.toString(notAfterMillis), detail);
    }

    /** One JSON object with the {@link #COLUMNS} as keys; numbers as JSON integers. */
    public String toJson() {
        StringBuilder out = new StringBuilder(64 + spiffeId.length() + detail.length() + agentInstance.length()
                + serial.length() + tokenId.length() + delegationId.length() + kind.length());
        out.append("{\"index\":").append(index).append(",\"time_unix_millis\":").append(timeMillis);
        text(out, "kind", kind);
        text(out, "spiffe_id", spiffeId);
        text(out, "agent_instance", agentInstance);
        text(out, "serial", serial);
        text(out, "token_id", tokenId);
        text(out, "delegation_id", delegationId);
        out.append(",\"not_before_unix_millis\":").append(notBeforeMillis)
                .append(",\"not_after_unix_millis\":").append(notAfterMillis);
        text(out, "detail", detail);
        return out.append('}').toString();
    }

    private static void text(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        JsonText.quote(out, value);
    }

    /** One CSV row (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */
    public String toCsv() {
        StringBuilder out = new StringBuilder(160);
        List<String> values = values();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(csvField(values.get(i)));
        }
        return out.toString();
    }

    /** The CSV header row. */
    public static String csvHeader() {
        return String.join(",", COLUMNS);
    }

    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /**
     * Reads back a line {@link #toJson()} wrote.
     *
     * @throws IllegalArgumentException if it is not such a line
     */
    static InventoryRecord parseJson(String line) {
        if (!(Json.parse(line) instanceof Map<?, ?> json) || json.size() != COLUMNS.size()) {
            throw new IllegalArgumentException("inventory line is not a record: " + line);
        }
        return new InventoryRecord(number(json, 0), number(json, 1), text(json, 2), text(json, 3), text(json, 4),
                text(json, 5), text(json, 6), text(json, 7), number(json, 8), number(json, 9), text(json, 10));
    }

    private static long number(Map<?, ?> json, int column) {
        return Json.integer(json, COLUMNS.get(column));
    }

    private static String text(Map<?, ?> json, int column) {
        return Json.string(json, COLUMNS.get(column));
    }
}
