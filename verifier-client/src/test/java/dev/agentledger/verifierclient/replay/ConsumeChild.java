package dev.agentledger.verifierclient.replay;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;

/** The process {@link ConsumedTokensCrashTest} kills: consumes ids as fast as it can, printing each acknowledged one. */
public final class ConsumeChild {
    private ConsumeChild() {}

    public static void main(String[] args) throws Exception {
        try (ConsumedTokens tokens = ConsumedTokens.open(Path.of(args[0]), InstantSource.system())) {
            System.out.println("ready");
            System.out.flush();
            for (long i = 0; ; i++) {
                String id = args[1] + "-" + i;
                tokens.consume(id, Instant.now().plusSeconds(3600));
                System.out.println("ack " + id);
                System.out.flush();
            }
        }
    }
}
