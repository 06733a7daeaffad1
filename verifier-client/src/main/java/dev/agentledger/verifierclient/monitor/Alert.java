package dev.agentledger.verifierclient.monitor;

import dev.agentledger.verifierclient.internal.JsonText;
import java.util.List;
import java.util.Objects;

/**
 * One alert raised by the monitor.
 *
 * @param kind what rule fired
 * @param index the log index of the entry it is about, or -1 when it is about a checkpoint
 * @param message what happened, for humans, one line
 * @param evidence signed notes (or other verbatim material) that prove it; empty for entry rules
 */
public record Alert(AlertKind kind, long index, String message, List<String> evidence) {
    /** Copies the evidence; requires a kind and a message. */
    public Alert {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        evidence = List.copyOf(evidence);
    }

    /** The alert as one JSON object: {@code {"kind", "index", "message", "evidence": [...]}}. */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"kind\":");
        JsonText.quote(out, kind.label());
        out.append(",\"index\":").append(index).append(",\"message\":");
        JsonText.quote(out, message);
        out.append(",\"evidence\":[");
        for (int i = 0; i < evidence.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonText.quote(out, evidence.get(i));
        }
        return out.append("]}").toString();
    }

    /** {@code <kind> [at index N]: <message>}, then each piece of evidence verbatim. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(kind.label());
        if (index >= 0) {
            out.append(" at index ").append(index);
        }
        out.append(": ").append(message);
        for (int i = 0; i < evidence.size(); i++) {
            out.append("\n--- evidence ").append(i + 1).append(" ---\n").append(evidence.get(i));
        }
        return out.toString();
    }
}
