package dev.agentledger.server.http;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Raises Helidon's HTTP/2 connection failures to warnings. Helidon 4.5 logs at DEBUG only the
 * connection errors it answers with a GOAWAY (RFC 9113 section 5.4.1: protocol, flow-control,
 * stream-state and frame-size errors, too many resets) and the GOAWAY frames with an error code
 * a client sends when it finds the server at fault; each ends every call in flight on that
 * connection (a gRPC client reports them as INTERNAL), so an operator must see them. Records of
 * those two loggers at DEBUG become one WARNING line each of this class's logger; Helidon's
 * per-frame TRACE records stay off.
 */
public final class Http2ConnectionFailures {
    private static final System.Logger LOG = System.getLogger(Http2ConnectionFailures.class.getName());
    /** Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final List<Logger> SOURCES = List.of(Logger.getLogger("io.helidon.webserver.http2.Http2Connection"),
            Logger.getLogger("io.helidon.webserver.http2.Http2ConnectionChecks"));
    private static final Handler RAISE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            // INFO and above reach the usual handlers already; below FINE is per-frame tracing.
            if (record.getLevel().intValue() < Level.INFO.intValue() && record.getLevel().intValue() >= Level.FINE.intValue()) {
                LOG.log(System.Logger.Level.WARNING, "HTTP/2 connection failure: " + record.getMessage(), record.getThrown());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private Http2ConnectionFailures() {}

    /**
     * Starts raising (idempotent). Call it after the first web server of the JVM started: Helidon
     * configures java.util.logging anew then, dropping handlers set before.
     */
    public static synchronized void raise() {
        for (Logger source : SOURCES) {
            if (!List.of(source.getHandlers()).contains(RAISE)) {
                source.addHandler(RAISE);
            }
            Level level = source.getLevel();
            if (level == null || level.intValue() > Level.FINE.intValue()) {
                source.setLevel(Level.FINE);
            }
        }
    }
}
