package dev.agentledger.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SlowClientsWarningsTest {
    @Test
    void warnsAtPowersOfTwoThenEveryHundredth() {
        List<Long> warned = LongStream.rangeClosed(1, 1_000).filter(SlowClients::warnsAt).boxed().toList();
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1_000L), warned);
    }
}
