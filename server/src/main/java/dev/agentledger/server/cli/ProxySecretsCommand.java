package dev.agentledger.server.cli;

import dev.agentledger.server.proxy.SecretStore;
import dev.agentledger.server.proxy.SecretStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentledger proxy secrets}: the action proxy's encrypted secret store. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {
            "Manage the action proxy's secret store: a file encrypted with AES-256-GCM under a key derived",
            "from a passphrase (PBKDF2-HMAC-SHA256, 600,000 iterations). The passphrase comes from",
            "--passphrase-file or the environment variable " + SecretStore.PASSPHRASE_VARIABLE + "."
        },
        subcommands = {ProxySecretsCommand.Put.class, ProxySecretsCommand.ListNames.class})
final class ProxySecretsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the store is and how to open it. */
    static final class StoreOptions {
        @Option(names = "--store", required = true, paramLabel = "FILE", description = "The encrypted secret store.")
        Path store;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "A file holding the passphrase (default: the variable " + SecretStore.PASSPHRASE_VARIABLE + ").")
        Path passphraseFile;

        SecretStore open(boolean create) throws CliException {
            try {
                return SecretStore.open(store, SecretStore.passphrase(Optional.ofNullable(passphraseFile), System.getenv()), create);
            } catch (SecretStoreException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
    }

    /** {@code agentledger proxy secrets put NAME}: stores the value read from standard input. */
    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Stores a secret under NAME, reading its value from standard input (one trailing newline is dropped);"
                    + " creates the store if missing. The value is never printed.")
    static final class Put implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        StoreOptions options = new StoreOptions();

        @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name, as upstreams.inject.secret names it.")
        String name;

        @Override
        public Integer call() throws Exception {
            SecretStore store = options.open(true);
            byte[] value;
            try {
                value = System.in.readNBytes(64 * 1024 + 2);
            } catch (IOException e) {
                throw new CliException("cannot read the secret from standard input: " + e.getMessage(), e);
            }
            int length = value.length;
            if (length > 0 && value[length - 1] == '\n') {
                length--;
                if (length > 0 && value[length - 1] == '\r') {
                    length--;
                }
            }
            byte[] trimmed = Arrays.copyOf(value, length);
            Arrays.fill(value, (byte) 0);
            try {
                store.put(name, trimmed);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            } catch (SecretStoreException e) {
                throw new CliException(e.getMessage(), e);
            } finally {
                Arrays.fill(trimmed, (byte) 0);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("stored secret " + name + " (" + length + " bytes) in " + options.store);
            out.flush();
            return 0;
        }
    }

    /** {@code agentledger proxy secrets list}: the names in the store, never the values. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the names of the stored secrets (never their values).")
    static final class ListNames implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        StoreOptions options = new StoreOptions();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            options.open(false).names().stream().sorted().forEach(out::println);
            out.flush();
            return 0;
        }
    }
}
