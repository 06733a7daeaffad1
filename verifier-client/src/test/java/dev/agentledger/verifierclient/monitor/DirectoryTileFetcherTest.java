package dev.agentledger.verifierclient.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTileFetcherTest {
    @TempDir
    Path dir;

    @Test
    void readsUnderTheRootOnly() throws Exception {
        Path root = dir.resolve("log");
        Files.createDirectories(root.resolve("tile/0"));
        Files.write(root.resolve("tile/0/000"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("secret"), "outside");
        DirectoryTileFetcher fetcher = new DirectoryTileFetcher(root);
        assertArrayEquals(new byte[] {1, 2, 3}, fetcher.fetch("tile/0/000"));
        assertThrows(FileNotFoundException.class, () -> fetcher.fetch("tile/0/001"));
        IOException escape = assertThrows(IOException.class, () -> fetcher.fetch("../secret"));
        assertTrue(escape.getMessage().contains("leaves"), escape.getMessage());
    }

    @Test
    void anInventoryShorterThanTheStateSaysIsRefused() throws Exception {
        Path file = dir.resolve("inventory.jsonl");
        Files.writeString(file, "");
        IOException e = assertThrows(IOException.class, () -> Inventory.open(file, 10));
        assertTrue(e.getMessage().contains("move it away"), e.getMessage());
    }
}
