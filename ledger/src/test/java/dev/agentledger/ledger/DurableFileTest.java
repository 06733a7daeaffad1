package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
    @TempDir
    Path dir;

    @Test
    void replaceWritesWholeFilesWithTheAskedMode() throws Exception {
        Path file = dir.resolve("state");
        DurableFile.replace(file, new byte[] {1, 2, 3}, DurableFile.OWNER_ONLY);
        assertEquals(DurableFile.OWNER_ONLY, Files.getPosixFilePermissions(file));
        DurableFile.replace(file, new byte[] {4}, DurableFile.WORLD_READABLE);
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(file));
        assertEquals(DurableFile.WORLD_READABLE, Files.getPosixFilePermissions(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }

    @Test
    void createRefusesAnExistingFileAndLeavesIt() throws Exception {
        Path file = dir.resolve("key");
        DurableFile.create(file, new byte[] {7}, DurableFile.OWNER_ONLY);
        assertThrows(FileAlreadyExistsException.class, () -> DurableFile.create(file, new byte[] {8}, DurableFile.OWNER_ONLY));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }
}
