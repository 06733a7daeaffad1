package dev.agentledger.bench;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeVisitor;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.Tiling;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.WorkloadRegistered;
import dev.agentledger.proto.v1.X509SvidIssued;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.monitor.AlertCounters;
import dev.agentledger.verifierclient.monitor.DirectoryTileFetcher;
import dev.agentledger.verifierclient.monitor.FollowResult;
import dev.agentledger.verifierclient.monitor.Monitor;
import dev.agentledger.verifierclient.monitor.MonitorSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Monitor catch-up rate from local tiles: writes a log of N realistic entries (registrations,
 * X.509-SVID issuances without certificates, revocations; about 120 bytes each) as a tlog-tiles
 * directory, then times, in the same run, (a) raw SHA-256 leaf hashing of the same entry bytes
 * read from the same bundle files, and (b) a fresh {@link Monitor} catching up to the checkpoint:
 * checkpoint verification, bundle parsing, leaf hashing, compact range fold, root comparison,
 * decoding of every entry, alert rules and the on-disk inventory. Each is run three times.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.MonitorCatchUp [entries] [dir]
 * </pre>
 */
public final class MonitorCatchUp {
    private static final String ORIGIN = "bench.agentledger.local/log";

    private MonitorCatchUp() {}

    public static void main(String[] args) throws Exception {
        long entries = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        Path dir = args.length > 1 ? Path.of(args[1]) : Scratch.directory("monitor-catch-up");
        SignerKey key = SignerKey.generate(ORIGIN, SignatureType.ED25519);
        Path tiles = dir.resolve("tiles");
        long start = System.nanoTime();
        String note = writeLog(tiles, key, entries);
        System.out.printf(Locale.ROOT, "wrote %,d entries as tiles in %s (%.1f s)%n", entries, tiles,
                (System.nanoTime() - start) / 1e9);
        LogVerifier verifier = LogVerifier.create(ORIGIN, key.verifierKey(), List.of(), 0);
        Hash root = verifier.open(note).root();
        for (int run = 1; run <= 3; run++) {
            double raw = rawHashing(tiles, entries);
            double verify = verifyOnly(tiles, entries, root);
            double decode = decodeOnly(tiles, entries);
            Path state = dir.resolve("state-" + run);
            AlertCounters alerts = new AlertCounters();
            long t0 = System.nanoTime();
            FollowResult result;
            try (Monitor monitor = Monitor.open(MonitorSettings.of(verifier, new DirectoryTileFetcher(tiles), state, alerts))) {
                result = monitor.follow(note.getBytes(StandardCharsets.UTF_8));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = result.entriesRead() / seconds;
            System.out.printf(Locale.ROOT, "run %d: raw SHA-256 of the entries %,.0f/s | verify (parse bundles, hash,"
                    + " fold, compare root) %,.0f/s | decode only %,.0f/s | monitor catch-up, all of it %,.0f/s"
                    + " (%,d entries in %.2f s, %d alerts)%n",
                    run, raw, verify, decode, rate, result.entriesRead(), seconds, alerts.total());
        }
    }

    /**
     * The monitor's verification steps alone, through the same merkle calls: read and parse each
     * bundle, hash every entry as a leaf, fold into a compact range, compare the root; entries/s.
     */
    private static double verifyOnly(Path tiles, long entries, Hash root) throws Exception {
        long t0 = System.nanoTime();
        CompactRange range = CompactRange.empty();
        for (long index = 0; index < Tiling.tileCount(0, entries); index++) {
            Tile tile = new Tile(0, index, Tiling.width(0, index, entries));
            EntryBundle bundle = EntryBundle.parse(Files.readAllBytes(tiles.resolve(tile.entriesPath())), tile.width());
            range = range.append(bundle.leafHashes(), NodeVisitor.NONE);
        }
        if (!range.root().equals(root)) {
            throw new IllegalStateException("root " + range.root() + ", want " + root);
        }
        return entries / ((System.nanoTime() - t0) / 1e9);
    }

    /** Reads each bundle and decodes every entry with LogEntries.parse; entries/s. */
    private static double decodeOnly(Path tiles, long entries) throws Exception {
        long t0 = System.nanoTime();
        for (long index = 0; index < Tiling.tileCount(0, entries); index++) {
            Tile tile = new Tile(0, index, Tiling.width(0, index, entries));
            EntryBundle bundle = EntryBundle.parse(Files.readAllBytes(tiles.resolve(tile.entriesPath())), tile.width());
            for (int i = 0; i < bundle.size(); i++) {
                LogEntries.parse(bundle.entry(i));
            }
        }
        return entries / ((System.nanoTime() - t0) / 1e9);
    }

    /** Reads every bundle file and hashes each entry as a leaf with a bare MessageDigest; entries/s. */
    private static double rawHashing(Path tiles, long entries) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] out = new byte[32];
        long t0 = System.nanoTime();
        long hashed = 0;
        for (long index = 0; index < Tiling.tileCount(0, entries); index++) {
            Tile tile = new Tile(0, index, Tiling.width(0, index, entries));
            byte[] body = Files.readAllBytes(tiles.resolve(tile.entriesPath()));
            for (int offset = 0; offset < body.length; ) {
                int length = (body[offset] & 0xFF) << 8 | (body[offset + 1] & 0xFF);
                sha.update((byte) 0);
                sha.update(body, offset + 2, length);
                sha.digest(out, 0, 32);
                offset += 2 + length;
                hashed++;
            }
        }
        if (hashed != entries) {
            throw new IllegalStateException("hashed " + hashed + ", want " + entries);
        }
        return entries / ((System.nanoTime() - t0) / 1e9);
    }

    private static byte[] entry(long i) {
        Header header = Header.newBuilder().setSchemaVersion(1).setTimeUnixMillis(1_700_000_000_000L + i)
                .setCallerSpiffeId("spiffe://bench.test/agentledger/server").build();
        String id = "spiffe://bench.test/agent/bot/" + (i / 2);
        LogEntry.Builder entry = LogEntry.newBuilder().setHeader(header);
        if (i % 100 == 99) {
            entry.setRevoked(Revoked.newBuilder().setSerial(ByteString.copyFrom(BigInteger.valueOf(i).toByteArray()))
                    .setReason(RevocationReason.REVOCATION_REASON_SUPERSEDED));
        } else if (i % 2 == 0) {
            entry.setWorkloadRegistered(WorkloadRegistered.newBuilder().setSpiffeId(id).setAgentName("bot")
                    .setAgentInstance(Long.toString(i / 2)).setTask("bench").setExpiresUnixMillis(1_700_003_600_000L));
        } else {
            entry.setX509SvidIssued(X509SvidIssued.newBuilder().setSpiffeId(id).setAgentInstance(Long.toString(i / 2))
                    .setSerial(ByteString.copyFrom(BigInteger.valueOf(i).toByteArray()))
                    .setCertificateSha256(ByteString.copyFrom(new byte[32]))
                    .setValidity(Validity.newBuilder().setNotBeforeUnixMillis(1_700_000_000_000L)
                            .setNotAfterUnixMillis(1_700_003_600_000L)));
        }
        return LogEntries.serialize(entry.build());
    }

    /**
     * Writes bundles and tiles for a log of {@code entries} entries, at the widths that size has,
     * and the signed checkpoint; returns the note. Tile rows above level 0 are collected from the
     * compact range's completed nodes, 256 at a time.
     */
    private static String writeLog(Path tiles, SignerKey key, long entries) throws IOException {
        CompactRange range = CompactRange.empty();
        List<ByteArrayOutputStream> rows = new ArrayList<>();
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            rows.add(new ByteArrayOutputStream());
        }
        long[] rowIndex = new long[Tile.MAX_LEVEL + 1];
        NodeVisitor visitor = (level, index, hash) -> {
            if (level % Tile.HEIGHT != 0) {
                return;
            }
            int tileLevel = level / Tile.HEIGHT;
            ByteArrayOutputStream row = rows.get(tileLevel);
            row.writeBytes(hash.toByteArray());
            if (row.size() == Tile.WIDTH * Hash.SIZE) {
                write(tiles, Tile.full(tileLevel, rowIndex[tileLevel]++).path(), row.toByteArray());
                row.reset();
            }
        };
        for (long first = 0; first < entries; first += Tile.WIDTH) {
            int width = (int) Math.min(Tile.WIDTH, entries - first);
            List<byte[]> bundle = new ArrayList<>(width);
            List<Hash> leaves = new ArrayList<>(width);
            for (int i = 0; i < width; i++) {
                byte[] e = entry(first + i);
                bundle.add(e);
                leaves.add(Rfc6962.hashLeaf(e));
            }
            write(tiles, new Tile(0, first / Tile.WIDTH, width).entriesPath(), EntryBundle.of(bundle).toByteArray());
            range = range.append(leaves, visitor);
        }
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            if (rows.get(level).size() > 0) {
                int width = rows.get(level).size() / Hash.SIZE;
                write(tiles, new Tile(level, rowIndex[level], width).path(), rows.get(level).toByteArray());
            }
        }
        String note = Notes.sign(new Checkpoint(ORIGIN, entries, range.root()).format(), List.of(Ed25519NoteSigner.create(key)));
        write(tiles, "checkpoint", note.getBytes(StandardCharsets.UTF_8));
        return note;
    }

    private static void write(Path root, String path, byte[] body) {
        try {
            Path file = root.resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
