package dev.agentledger.verifierclient.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The token ids a tool has accepted, each kept until its token expires, durable across crashes:
 * {@link #consume} returns only once the id is on disk (fsync), so a token accepted once is
 * refused afterwards, also after {@code kill -9} and restart.
 *
 * <p>Storage: one append-only journal, a line per accepted token, {@code <expiry epoch seconds>
 * <token id> <CRC-32C hex>}. A line cut short by a crash is the record of a call that was never
 * answered, so it is dropped; any other damage refuses to open (failing closed: a tool that cannot
 * know what it accepted must not accept anything). When the journal holds many expired records
 * it is rewritten with the live ones (write aside, fsync, atomic rename, fsync directory).
 *
 * <p>Thread-safe; consumes are serialized (one fsync each, about 0.2 ms on a local SSD).
 */
public final class ConsumedTokens implements SingleUse, AutoCloseable {
    /** The longest token id accepted. */
    public static final int MAX_TOKEN_ID_LENGTH = 128;
    private static final Pattern TOKEN_ID = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_TOKEN_ID_LENGTH + "}");
    private static final String JOURNAL = "consumed-tokens.journal";
    private static final int COMPACT_AT_LEAST = 4096;

    private final Path journal;
    private final InstantSource clock;
    private final Map<String, Instant> consumed = new HashMap<>();
    private FileChannel channel;
    private long records;
    private long nextCompactionCheck = COMPACT_AT_LEAST;
    private IOException failed;

    private ConsumedTokens(Path journal, InstantSource clock) {
        this.journal = journal;
        this.clock = clock;
    }

    /**
     * Opens (or creates) the set kept in {@code directory}.
     *
     * @throws IOException if the journal cannot be read or written, or is damaged anywhere but in
     *     its last, unterminated line
     */
    public static ConsumedTokens open(Path directory, InstantSource clock) throws IOException {
        Files.createDirectories(directory);
        ConsumedTokens tokens = new ConsumedTokens(directory.resolve(JOURNAL), clock);
        tokens.load();
        return tokens;
    }

    /**
     * Accepts {@code tokenId} once: records it durably until {@code expires}, or refuses it if it
     * was accepted before and has not expired yet.
     *
     * @param tokenId the token's {@code jti}: 1 to 128 of {@code A-Z a-z 0-9 . _ ~ -}
     * @param expires the token's expiry; a token already expired is refused by the caller's other
     *     checks, and is not recorded here
     * @throws ReplayException if it was accepted before
     * @throws IllegalArgumentException if the id is malformed
     * @throws IOException if it could not be made durable: the caller must then refuse the token
     */
    public synchronized void consume(String tokenId, Instant expires) throws ReplayException, IOException {
        if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
            throw new IllegalArgumentException("token id is not 1 to " + MAX_TOKEN_ID_LENGTH + " of A-Z a-z 0-9 . _ ~ -");
        }
        Instant now = clock.instant();
        Instant seen = consumed.get(tokenId);
        if (seen != null && seen.isAfter(now)) {
            throw new ReplayException(tokenId, seen);
        }
        if (!expires.isAfter(now)) {
            return;
        }
        if (failed != null) {
            throw new IOException("the journal " + journal + " failed earlier; reopen it to accept tokens again", failed);
        }
        long expirySeconds = expires.getEpochSecond() + (expires.getNano() > 0 ? 1 : 0);
        try {
            write(channel, line(expirySeconds, tokenId));
            channel.force(false);
        } catch (IOException e) {
            // The journal may now end in a partial record; appending after it would damage the next one.
            failed = e;
            throw e;
        }
        // Durable: from here on the token is spent, whatever happens to this process.
        consumed.put(tokenId, Instant.ofEpochSecond(expirySeconds));
        records++;
        if (records >= nextCompactionCheck) {
            long live = consumed.values().stream().filter(e -> e.isAfter(now)).count();
            if (records > 2 * live) {
                compact(now);
            }
            nextCompactionCheck = records + COMPACT_AT_LEAST;
        }
    }

    /** {@link #consume(String, Instant)} by the token's id. */
    @Override
    public void spend(String token, String tokenId, Instant expires) throws ReplayException, IOException {
        consume(tokenId, expires);
    }

    /** The number of unexpired token ids held. */
    public synchronized int size() {
        Instant now = clock.instant();
        return (int) consumed.values().stream().filter(e -> e.isAfter(now)).count();
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    private void load() throws IOException {
        if (Files.exists(journal)) {
            byte[] bytes = Files.readAllBytes(journal);
            int end = lastNewline(bytes) + 1;
            String text = new String(bytes, 0, end, StandardCharsets.US_ASCII);
            int lineNumber = 0;
            for (String line : text.split("\n")) {
                lineNumber++;
                if (!line.isEmpty()) {
                    parse(line, lineNumber);
                }
            }
            if (end < bytes.length) {
                // A record cut short by a crash: its consume never returned. Drop it before appending.
                try (FileChannel truncate = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                    truncate.truncate(end);
                    truncate.force(true);
                }
            }
        }
        compact(clock.instant());
    }

    private void parse(String line, int lineNumber) throws IOException {
        String[] fields = line.split(" ");
        try {
            if (fields.length != 3 || !fields[2].equals(crc(fields[0] + " " + fields[1])) || !TOKEN_ID.matcher(fields[1]).matches()) {
                throw new IllegalArgumentException("bad record");
            }
            Instant expiry = Instant.ofEpochSecond(Long.parseLong(fields[0]));
            consumed.merge(fields[1], expiry, (a, b) -> a.isAfter(b) ? a : b);
            records++;
        } catch (RuntimeException e) {
            throw new IOException(journal + " line " + lineNumber + " is damaged: refusing to accept tokens without knowing"
                    + " which were used; restore the file, or remove it only once every token it may list has expired", e);
        }
    }

    /** Rewrites the journal with the unexpired records only, atomically, and reopens it for appending. */
    private void compact(Instant now) throws IOException {
        consumed.values().removeIf(expiry -> !expiry.isAfter(now));
        StringBuilder live = new StringBuilder();
        consumed.forEach((id, expiry) -> live.append(line(expiry.getEpochSecond(), id)));
        if (channel != null) {
            channel.close();
        }
        dev.agentledger.verifierclient.internal.AtomicFile.write(journal, live.toString().getBytes(StandardCharsets.US_ASCII));
        channel = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        records = consumed.size();
    }

    private static String line(long expirySeconds, String tokenId) {
        String record = expirySeconds + " " + tokenId;
        return record + " " + crc(record) + "\n";
    }

    private static String crc(String record) {
        CRC32C crc = new CRC32C();
        crc.update(record.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    private static void write(FileChannel channel, String line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
