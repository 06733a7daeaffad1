package dev.agentledger.verifierclient.monitor;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The answer to "which identities ever existed": one {@link InventoryRecord} per logged entry, in
 * log order, kept on disk as JSON lines (one {@link InventoryRecord#toJson()} object per line), so
 * memory does not grow with the log. Queries and exports stream the file.
 *
 * <p>In memory it keeps only what the alert rules need: the registered SPIFFE IDs with their agent
 * instances, and the revoked SPIFFE IDs and agent instances. These are rebuilt from the file when
 * it is opened or cut back. Thread-safe.
 */
public final class Inventory implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private OutputStream out;
    /** Registered SPIFFE ID to its agent instance, or to a {@code Set<String>} of them when several. */
    private final Map<String, Object> registrations = new HashMap<>();
    private final Set<String> revokedIds = new HashSet<>();
    private final Set<String> revokedInstances = new HashSet<>();

    private Inventory(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the inventory in {@code file}, creating it if needed, and cuts it back to {@code
     * length} bytes: records written after the last saved monitor state are dropped.
     *
     * @throws IOException if the file cannot be opened, is shorter than {@code length}, or holds a
     *     line that is not a record
     */
    static Inventory open(Path file, long length) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Inventory inventory = new Inventory(file, channel);
        try {
            if (channel.size() < length) {
                throw new IOException("inventory " + file + " is " + channel.size() + " bytes, the monitor state says "
                        + length + ": the state directory was damaged; move it away to start over");
            }
            inventory.truncate(length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return inventory;
    }

    /** Appends a record (buffered; durable after {@link #sync()}) and updates the rule state. */
    synchronized void append(InventoryRecord record) throws IOException {
        out.write(record.toJson().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        remember(record);
    }

    /** Writes out buffered records and fsyncs; returns the file's length, to save in the state. */
    synchronized long sync() throws IOException {
        out.flush();
        channel.force(false);
        return channel.size();
    }

    /** Drops every record after byte {@code length} and rebuilds the rule state from the rest. */
    synchronized void truncate(long length) throws IOException {
        if (out != null) {
            out.flush();
        }
        channel.truncate(length);
        channel.force(false);
        registrations.clear();
        revokedIds.clear();
        revokedInstances.clear();
        scan(r -> true, this::remember);
        channel.position(channel.size());
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    private void remember(InventoryRecord record) {
        switch (record.kind()) {
            case "workload_registered" -> registrations.merge(record.spiffeId(), record.agentInstance(), Inventory::union);
            case "revoked" -> {
                if (!record.spiffeId().isEmpty()) {
                    revokedIds.add(record.spiffeId());
                }
                if (!record.agentInstance().isEmpty()) {
                    revokedInstances.add(record.agentInstance());
                }
            }
            default -> { }
        }
    }

    /** Merges instance sets: one instance is kept as a bare string, the common case. */
    @SuppressWarnings("unchecked")
    private static Object union(Object held, Object added) {
        if (held.equals(added)) {
            return held;
        }
        Set<String> all = held instanceof Set<?> set ? (Set<String>) set : new HashSet<>(Set.of((String) held));
        all.add((String) added);
        return all;
    }

    /** True if an entry so far registered {@code spiffeId}. */
    synchronized boolean isRegistered(String spiffeId) {
        return registrations.containsKey(spiffeId);
    }

    /** True if an entry so far registered {@code spiffeId} as agent instance {@code instance}. */
    synchronized boolean isRegistered(String spiffeId, String instance) {
        Object held = registrations.get(spiffeId);
        return held instanceof Set<?> set ? set.contains(instance) : instance.equals(held);
    }

    /** True if an entry so far revoked the SPIFFE ID {@code spiffeId}. */
    synchronized boolean isRevokedId(String spiffeId) {
        return revokedIds.contains(spiffeId);
    }

    /** True if an entry so far revoked the agent instance {@code instance}. */
    synchronized boolean isRevokedInstance(String instance) {
        return revokedInstances.contains(instance);
    }

    /** Every record about {@code spiffeId} (holder, subject, delegate, principal or revoked ID), in log order. */
    public List<InventoryRecord> bySpiffeId(String spiffeId) throws IOException {
        return query(r -> r.spiffeId().equals(spiffeId));
    }

    /** Every record with X.509 serial {@code serialHex} (lower-case hex of the DER content octets). */
    public List<InventoryRecord> bySerial(String serialHex) throws IOException {
        String serial = serialHex.toLowerCase(java.util.Locale.ROOT);
        return query(r -> r.serial().equals(serial));
    }

    /** Every record with token id ({@code jti}) {@code tokenId}: issuance, consumption, revocation. */
    public List<InventoryRecord> byTokenId(String tokenId) throws IOException {
        return query(r -> r.tokenId().equals(tokenId));
    }

    /** Every record {@code filter} accepts, in log order. */
    public synchronized List<InventoryRecord> query(Predicate<InventoryRecord> filter) throws IOException {
        out.flush();
        List<InventoryRecord> found = new ArrayList<>();
        scan(filter, found::add);
        return found;
    }

    /** Writes every record as one JSON array, one object per line. */
    public synchronized void exportJson(Writer writer) throws IOException {
        out.flush();
        writer.write('[');
        boolean[] first = {true};
        scanChecked(record -> {
            writer.write(first[0] ? "\n" : ",\n");
            first[0] = false;
            writer.write(record.toJson());
        });
        writer.write("\n]\n");
        writer.flush();
    }

    /** Writes every record as CSV (RFC 4180) with a header row of {@link InventoryRecord#COLUMNS}. */
    public synchronized void exportCsv(Writer writer) throws IOException {
        out.flush();
        writer.write(InventoryRecord.csvHeader() + "\r\n");
        scanChecked(record -> writer.write(record.toCsv() + "\r\n"));
        writer.flush();
    }

    /** A consumer that may throw IOException. */
    private interface RecordWriter {
        void write(InventoryRecord record) throws IOException;
    }

    private void scanChecked(RecordWriter action) throws IOException {
        try {
            scan(r -> true, r -> {
                try {
                    action.write(r);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Reads the file from the start up to its current length (buffered writes must be flushed). */
    private void scan(Predicate<InventoryRecord> filter, Consumer<InventoryRecord> action) throws IOException {
        long size = channel.size();
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ);
                BufferedReader lines = new BufferedReader(new InputStreamReader(
                        Channels.newInputStream(reader), StandardCharsets.UTF_8), 1 << 16)) {
            long read = 0;
            for (String line = lines.readLine(); line != null && read < size; line = lines.readLine()) {
                read += line.getBytes(StandardCharsets.UTF_8).length + 1;
                InventoryRecord record;
                try {
                    record = InventoryRecord.parseJson(line);
                } catch (IllegalArgumentException e) {
                    throw new IOException("inventory " + file + ": " + e.getMessage(), e);
                }
                if (filter.test(record)) {
                    action.accept(record);
                }
            }
        }
    }

    /** Flushes and closes the file. */
    @Override
    public synchronized void close() throws IOException {
        try {
            out.flush();
        } finally {
            channel.close();
        }
    }
}
