package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agentledger serve} in a child JVM on free loopback ports over a data directory, as an
 * operator runs it: started, read from its startup report, and killed with SIGKILL (no shutdown
 * hook, no flush, no close).
 */
final class ServerProcess {
    private static final String READY = "Press Ctrl-C to stop.";

    private final Process process;
    private final Path stderr;
    final HostPort publicAddress;
    final HostPort privateAddress;

    private ServerProcess(Process process, Path stderr, HostPort publicAddress, HostPort privateAddress) {
        this.process = process;
        this.stderr = stderr;
        this.publicAddress = publicAddress;
        this.privateAddress = privateAddress;
    }

    /** Starts {@code serve --data dir} and waits until it listens (at most 180 s: a cold JVM on a busy machine is slow). */
    static ServerProcess start(DataDir data, Path logs, int round) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path stdout = logs.resolve("serve-" + round + ".out");
        Path stderr = logs.resolve("serve-" + round + ".err");
        Process process = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--data", data.root().toString(), "--public-addr", "127.0.0.1:0", "--private-addr", "127.0.0.1:0")
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String report = "";
        try {
            while (!report.contains(READY)) {
                if (!process.isAlive()) {
                    throw new AssertionError("serve exited with " + process.exitValue() + " before listening:\n" + report
                            + "\n" + Files.readString(stderr));
                }
                assertTrue(System.nanoTime() < deadline, "serve did not listen within 180 s:\n" + report + "\n" + Files.readString(stderr));
                Thread.sleep(20);
                report = Files.readString(stdout, StandardCharsets.UTF_8);
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            process.destroyForcibly(); // no server left behind a failed test
            throw e;
        }
        List<String> lines = report.lines().toList();
        HostPort publicAddress = HostPort.parse(after(lines, "Public read API http://"));
        HostPort privateAddress = HostPort.parse(after(lines, "Private append API (gRPC, mTLS) "));
        return new ServerProcess(process, stderr, publicAddress, privateAddress);
    }

    /** {@code serve --data dir} run to its end: what it printed on stderr and its exit status (at most 180 s). */
    static Exited runToFailure(DataDir data, Path logs) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path out = logs.resolve("refused.out");
        Process process = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--data", data.root().toString(), "--public-addr", "127.0.0.1:0", "--private-addr", "127.0.0.1:0")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("serve did not stop within 180 s:\n" + Files.readString(out));
        }
        return new Exited(process.exitValue(), Files.readString(out));
    }

    /** How a {@code serve} that refused to start ended. */
    record Exited(int status, String output) {}

    private static String after(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in the startup report: " + lines))
                .substring(prefix.length()).trim();
    }

    /** The public base URL, {@code http://host:port}. */
    String publicUrl() {
        return "http://" + publicAddress;
    }

    /** What the server printed on stderr so far (its log). */
    String log() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()} sends it), then waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve did not die");
    }
}
