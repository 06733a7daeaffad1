package dev.agentledger.server.cli;

import picocli.CommandLine.Command;

/** {@code agentledger keys}: the issuer's signing keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {
            "Manages the issuer's signing keys on a running authority. The server rotates each key by itself",
            "when a third of its lifetime is left; 'keys rotate' replaces one now (after a suspected compromise,",
            "say). Every new key is logged before it signs anything."
        },
        subcommands = KeysRotateCommand.class)
final class KeysCommand {}
