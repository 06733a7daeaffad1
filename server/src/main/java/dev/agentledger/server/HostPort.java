package dev.agentledger.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A listening or connecting address, {@code HOST:PORT} (an IPv6 host in brackets,
 * {@code [::1]:8443}).
 *
 * @param host a host name or IP address literal, without brackets
 * @param port 0 to 65535; 0 means "any free port" when listening
 */
public record HostPort(String host, int port) {
    /** Validates; throws {@link IllegalArgumentException}. */
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("address has no host, want HOST:PORT");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPV6]:PORT}.
     *
     * @throws IllegalArgumentException with a message saying the form wanted
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address \"" + text + "\" is not HOST:PORT (for example 127.0.0.1:8080)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address \"" + text + "\" has port \"" + text.substring(colon + 1)
                    + "\", want a number 0..65535");
        }
        return new HostPort(host, port);
    }

    /** True if the host resolves to a loopback address (only this machine can connect). */
    public boolean isLoopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The same host with another port (the one actually bound when {@code port} was 0). */
    public HostPort withPort(int newPort) {
        return new HostPort(host, newPort);
    }

    /** The host to connect to: a wildcard listening address becomes the loopback address. */
    public String connectHost() {
        return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
