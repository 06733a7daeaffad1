package dev.agentledger.server.cli;

import dev.agentledger.server.proxy.ActionProxy;
import dev.agentledger.server.proxy.ProxyConfig;
import dev.agentledger.server.proxy.ProxyConfigException;
import dev.agentledger.server.proxy.SecretStore;
import dev.agentledger.server.proxy.SecretStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger proxy}: runs the action proxy in front of upstream tools. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {
            "Runs the action proxy: an mTLS reverse proxy in front of tools that cannot check AgentLedger",
            "credentials themselves. Every call needs an X509-SVID and a single-use capability token for",
            "the upstream (audience), for the action and resource the configuration maps its method and",
            "path to; the token is spent at the authority, revocation is checked from the feed (failing",
            "closed when stale), and the token's log proof is required. Admitted calls are forwarded with",
            "the upstream's real credential injected from the encrypted secret store (the agent's",
            "Authorization header is dropped). Rate limits and quotas apply per SPIFFE ID (429 with",
            "Retry-After). Every forwarded or refused call is recorded in the log (ToolCallRecorded); with",
            "data_dir, admitted calls are journaled durably before forwarding (the journal also spends",
            "tokens whose audience is the proxy's own identity) and logged right after the answer.",
            "Refusals are JSON: {\"error\": reason, \"error_description\": why}."
        },
        subcommands = {ProxySecretsCommand.class})
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The proxy's YAML configuration (required to run the proxy).")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (config == null) {
            throw new CliException("give the proxy's configuration with --config FILE (see README, Action proxy)");
        }
        ProxyConfig parsed;
        Optional<SecretStore> secrets = Optional.empty();
        try {
            parsed = ProxyConfig.read(config);
            if (parsed.secrets() != null) {
                secrets = Optional.of(SecretStore.open(Path.of(parsed.secrets().file()),
                        SecretStore.passphrase(Optional.ofNullable(parsed.secrets().passphraseFile()).map(Path::of), System.getenv()),
                        false));
            }
        } catch (ProxyConfigException | SecretStoreException e) {
            throw new CliException(e.getMessage(), e);
        }
        ActionProxy proxy;
        try {
            proxy = ActionProxy.start(parsed, secrets, InstantSource.system());
        } catch (ProxyConfigException e) {
            throw new CliException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            stopped.countDown();
        }, "agentledger-proxy-shutdown"));
        out.println("Action proxy listening (mTLS) on " + parsed.listenAddress().withPort(proxy.port()));
        for (ProxyConfig.Upstream upstream : parsed.upstreams()) {
            out.println("  " + upstream.prefix() + " -> " + upstream.url() + " as " + upstream.name() + " (" + upstream.routes().size()
                    + " route" + (upstream.routes().size() == 1 ? "" : "s")
                    + (upstream.inject() == null ? "" : ", injects secret " + upstream.inject().secret()) + ")");
        }
        out.flush();
        stopped.await();
        return 0;
    }
}
