package dev.agentledger.server.cli;

import dev.agentledger.server.client.PublicLogClient;
import picocli.CommandLine.Option;

/** Where a command finds the authority's public listener: {@code --public-url}. */
final class PublicApiOptions {
    @Option(names = "--public-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the authority's public API. Default: ${DEFAULT-VALUE}.")
    String publicUrl;

    PublicLogClient client() {
        return new PublicLogClient(publicUrl);
    }
}
