package dev.agentledger.verifierclient.monitor;

import java.io.IOException;

/**
 * Reads a log's public C2SP tlog-tiles resources by path: {@code checkpoint}, {@code tile/<L>/<N>[.p/<W>]}
 * and {@code tile/entries/<N>[.p/<W>]}. Nothing it returns is trusted: the monitor verifies every
 * byte against signed checkpoints. Implementations must be thread-safe.
 */
public interface TileFetcher {
    /**
     * The body of the resource at {@code path} (no leading slash).
     *
     * @throws java.io.FileNotFoundException if the log does not have it (yet), e.g. HTTP 404
     * @throws IOException if it cannot be read, or is larger than the implementation accepts
     */
    byte[] fetch(String path) throws IOException;
}
