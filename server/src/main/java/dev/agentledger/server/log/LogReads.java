package dev.agentledger.server.log;

import dev.agentledger.ledger.IndexKey;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.InclusionProof;
import java.util.List;

/**
 * The read requests both APIs serve (HTTP JSON and gRPC), checked the same way: a request that
 * contradicts itself throws {@link InvalidRequestException}, one that names what the log does not
 * have yet throws {@link NotFoundException}. Each request reads the latest checkpoint once, so
 * its answer is about one consistent tree.
 */
public final class LogReads {
    /** The lookup page size when none is asked for. */
    public static final int DEFAULT_LOOKUP_LIMIT = 100;

    private final Ledger ledger;

    /** Reads from {@code ledger}. */
    public LogReads(Ledger ledger) {
        this.ledger = ledger;
    }

    /** The latest signed checkpoint. */
    public SignedCheckpoint checkpoint() {
        return ledger.checkpoint();
    }

    /**
     * The entry at {@code index} with its proof in tree size {@code size}, or in the latest
     * checkpoint's size (which is then returned too) when {@code size} is 0.
     *
     * @throws InvalidRequestException if a value is negative or {@code index >= size}
     * @throws NotFoundException if {@code size} or {@code index} is beyond the latest checkpoint
     */
    public ProvenEntry entry(long index, long size) {
        if (index < 0 || size < 0) {
            throw new InvalidRequestException("index " + Long.toUnsignedString(index) + " and tree size "
                    + Long.toUnsignedString(size) + " must be in 0..2^63-1");
        }
        if (size != 0 && index >= size) {
            throw new InvalidRequestException("index " + index + " is not below tree size " + size);
        }
        SignedCheckpoint latest = ledger.checkpoint();
        long treeSize = size == 0 ? latest.size() : size;
        if (treeSize > latest.size()) {
            throw new NotFoundException("tree size " + treeSize + " is beyond the latest checkpoint's " + latest.size());
        }
        if (index >= treeSize) {
            throw new NotFoundException("index " + index + " is beyond the log's " + treeSize + " entries");
        }
        byte[] entry = ledger.entry(index)
                .orElseThrow(() -> new NotFoundException("entry " + index + " is not in the log"));
        InclusionProof proof = ledger.inclusionProof(index, treeSize);
        SignedCheckpoint checkpoint = size == 0 ? latest : ledger.checkpoint(size).orElse(null);
        return new ProvenEntry(entry, proof, checkpoint);
    }

    /**
     * The consistency proof from {@code size1} to {@code size2}, or to the latest checkpoint's
     * size when {@code size2} is 0.
     *
     * @throws InvalidRequestException unless {@code 0 < size1 <= size2}
     * @throws NotFoundException if {@code size2} is beyond the latest checkpoint
     */
    public ConsistencyProof consistency(long size1, long size2) {
        long latest = ledger.checkpoint().size();
        long newer = size2 == 0 ? latest : size2;
        if (size1 <= 0 || newer < 0 || size1 > newer) {
            throw new InvalidRequestException("sizes " + Long.toUnsignedString(size1) + " and "
                    + Long.toUnsignedString(newer) + " do not satisfy 0 < size1 <= size2");
        }
        if (newer > latest) {
            throw new NotFoundException("tree size " + newer + " is beyond the latest checkpoint's " + latest);
        }
        return ledger.consistencyProof(size1, newer);
    }

    /**
     * Up to {@code limit} indexes of entries about {@code value}, from index {@code from}.
     *
     * @throws InvalidRequestException if the value, start or limit is out of range
     */
    public List<Long> lookup(IndexKey.Kind kind, String value, long from, int limit) {
        if (from < 0 || limit < 1 || limit > Ledger.MAX_LOOKUP) {
            throw new InvalidRequestException("from " + from + " must be >= 0 and limit " + limit + " in 1.."
                    + Ledger.MAX_LOOKUP);
        }
        IndexKey key;
        try {
            key = new IndexKey(kind, kind == IndexKey.Kind.SERIAL ? serialForm(value) : value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
        return ledger.lookup(key, from, limit);
    }

    /** A serial as the index stores it: lower-case hex, no colons, no leading zeros. */
    static String serialForm(String serial) {
        String hex = serial.replace(":", "").toLowerCase(java.util.Locale.ROOT);
        int start = 0;
        while (start < hex.length() - 1 && hex.charAt(start) == '0') {
            start++;
        }
        return hex.substring(start);
    }
}
