package dev.agentledger.bench;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.policy.CedarPolicy;
import dev.agentledger.issuer.policy.Evaluation;
import dev.agentledger.issuer.policy.PolicyException;
import dev.agentledger.proto.SpiffeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Raw Cedar evaluation of the cached data-pipeline example policy set, without the log: one
 * request mapped to Cedar entities and decided through the JNI library per operation.
 * {@code request} picks an allowed write, a write needing approval, or a default deny.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PolicyBench {
    private static final Instant MONDAY_10_UTC = Instant.parse("2026-11-23T10:00:00Z");

    @Param({"allow", "approval", "deny"})
    public String request;

    private CedarPolicy policy;
    private ActionRequest action;

    @Setup
    public void setUp() throws PolicyException {
        policy = CedarPolicy.compile("data-pipeline", example("data-pipeline"));
        SpiffeId agent = SpiffeId.of("agents.example", "agent/etl-pipeline/run-1");
        String verb = request.equals("deny") ? "db:drop" : "db:write";
        String rows = request.equals("approval") ? "5000" : "100";
        action = new ActionRequest(agent, List.of(agent), Optional.of(SpiffeId.of("agents.example", "user/alice")),
                List.of("del-1"), verb, "db:orders", Map.of("rows", rows, "task", "nightly-load"), Optional.empty());
        if (evaluate().outcome().name().equals("DENY") != request.equals("deny")) {
            throw new IllegalStateException("request " + request + " gave " + evaluate());
        }
    }

    @Benchmark
    public Evaluation evaluate() {
        return policy.evaluate(action, MONDAY_10_UTC);
    }

    private static String example(String name) {
        try (InputStream in = CedarPolicy.class.getResourceAsStream("/policies/" + name + ".cedar")) {
            if (in == null) {
                throw new IllegalStateException("policies/" + name + ".cedar is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
