package dev.agentledger.server.demo;

import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the demo prints: each step as a heading with indented details, and at the end a summary
 * table (or, with {@code --json}, one JSON document with every step and figure instead).
 */
final class Story {
    /** One line of the summary: a step, how it ended, and its figure. */
    record Row(String step, String outcome, String figure) {}

    private final PrintWriter out;
    private final boolean json;
    private final List<Row> rows = new ArrayList<>();
    private int step;

    Story(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** Starts a step. */
    void step(String title) {
        step++;
        if (!json) {
            out.println();
            out.println(step + ". " + title);
            out.flush();
        }
    }

    /** A detail of the current step. */
    void detail(String text) {
        if (!json) {
            out.println("   " + text);
            out.flush();
        }
    }

    /** Records the current step's outcome for the summary. */
    void result(String name, String outcome, String figure) {
        rows.add(new Row(name, outcome, figure));
        detail("=> " + outcome + (figure.isEmpty() ? "" : " (" + figure + ")"));
    }

    /** The rows so far. */
    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Prints the summary table, or the JSON document. */
    void summary(String title) {
        if (json) {
            List<JsonValue> steps = new ArrayList<>();
            for (Row row : rows) {
                steps.add(JsonObject.builder().set("step", row.step()).set("outcome", row.outcome())
                        .set("figure", row.figure()).build());
            }
            out.println(JsonObject.builder().set("demo", title).set("steps", JsonArray.create(steps)).build());
            out.flush();
            return;
        }
        int w1 = "step".length();
        int w2 = "outcome".length();
        for (Row row : rows) {
            w1 = Math.max(w1, row.step().length());
            w2 = Math.max(w2, row.outcome().length());
        }
        out.println();
        out.println(title);
        String format = "  %-" + w1 + "s  %-" + w2 + "s  %s%n";
        out.printf(format, "step", "outcome", "figure");
        out.printf(format, "-".repeat(w1), "-".repeat(w2), "------");
        for (Row row : rows) {
            out.printf(format, row.step(), row.outcome(), row.figure());
        }
        out.flush();
    }
}
