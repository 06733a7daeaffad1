package dev.agentledger.verifierclient.monitor;

import java.io.PrintStream;
import java.io.PrintWriter;

/** Prints each alert as {@code ALERT <kind> ...}, with its evidence verbatim, to a stream (stderr). */
public final class StderrAlerts implements AlertSink {
    private final PrintWriter out;

    /** Prints to {@code out}, normally {@code System.err}. */
    public StderrAlerts(PrintStream out) {
        this(new PrintWriter(out, true));
    }

    /** Prints to {@code out}. */
    public StderrAlerts(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void send(Alert alert) {
        synchronized (out) {
            out.println("ALERT " + alert);
            out.flush();
        }
    }
}
