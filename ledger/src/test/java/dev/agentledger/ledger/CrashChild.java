package dev.agentledger.ledger;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;

/**
 * The process {@link CrashTest} kills: appends from several threads as fast as it can and prints
 * one line per acknowledged append, {@code ack <index> <leaf hex> <checkpoint size> <root hex>},
 * only after the ledger acknowledged it. Runs until killed.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        Ledger ledger = Ledger.open(CrashTest.config(dir), CrashTest.SEGMENT);
        out.println("ready " + ledger.checkpoint().size());
        out.flush();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(seed * 1000 + t);
            Thread.ofPlatform().start(() -> {
                while (true) {
                    byte[] entry = new byte[16 + random.nextInt(300)];
                    random.nextBytes(entry);
                    try {
                        Appended a = ledger.append(entry, random.nextInt(10) == 0).get();
                        String line = "ack " + a.index() + " " + a.leafHash().toHex() + " " + a.checkpoint().size()
                                + " " + a.checkpoint().checkpoint().root().toHex();
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    } catch (Exception e) {
                        synchronized (out) {
                            out.println("error " + HexFormat.of().formatHex(e.toString().getBytes(StandardCharsets.UTF_8)));
                            out.flush();
                        }
                        return;
                    }
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
