package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.NodeId;
import dev.agentledger.merkle.VerificationException;

/**
 * The coordinates of one C2SP tlog-tiles tile: its level {@code L}, its index {@code N} within the
 * level and its width {@code W}, the number of hashes it holds (256 for a full tile).
 *
 * <p>Hash {@code i} of the tile is the Merkle Tree Hash of the perfect subtree at tree level
 * {@code 8L} and index {@code N * 256 + i} (tlog-tiles, "Merkle Tree"). The same coordinates at level
 * 0 also name the entry bundle whose entries hash to that tile's leaf hashes (tlog-tiles, "Log
 * entries").
 *
 * <p>Only tiles that can exist in a tree of at most {@link Long#MAX_VALUE} leaves are representable:
 * that bounds the level to 0..7 (a level-8 tile would need 2^64 leaves) and the index to what keeps
 * the tile's last hash inside such a tree.
 *
 * @param level the tile level {@code L}, 0 to {@link #MAX_LEVEL}
 * @param index the tile index {@code N} within its level, from 0
 * @param width the number of hashes {@code W}, 1 to {@link #WIDTH}; {@code WIDTH} is a full tile
 */
public record Tile(int level, long index, int width) {
    /** Tree levels per tile level: a tile is a subtree of height 8 (tlog-tiles, "Merkle Tree"). */
    public static final int HEIGHT = 8;
    /** Hashes in a full tile, {@code 2^HEIGHT} (tlog-tiles, "Merkle Tree"). */
    public static final int WIDTH = 1 << HEIGHT;
    /** The highest tile level a tree of at most {@link Long#MAX_VALUE} leaves reaches. */
    public static final int MAX_LEVEL = 7;

    private static final String PREFIX = "tile/";
    private static final String ENTRIES_PREFIX = "tile/entries/";
    private static final String PARTIAL = ".p/";
    /** The path grammar allows tile levels 0..63 (tlog-tiles, "Merkle Tree"). */
    private static final int MAX_PATH_LEVEL = 63;

    /**
     * Validates the coordinates.
     *
     * @throws IllegalArgumentException if the level is not in 0..7, the index is negative, the width
     *     is not in 1..256, or the tile's last hash would cover leaves beyond {@link Long#MAX_VALUE}
     */
    public Tile {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("tile level " + level + " not in [0, " + MAX_LEVEL + "]");
        }
        if (width < 1 || width > WIDTH) {
            throw new IllegalArgumentException("tile width " + width + " not in [1, " + WIDTH + "]");
        }
        if (index < 0 || index > maxIndex(level, width)) {
            throw new IllegalArgumentException(
                    "tile index " + index + " out of range at level " + level + " width " + width);
        }
    }

    /** A full tile (width 256); same preconditions as the canonical constructor. */
    public static Tile full(int level, long index) {
        return new Tile(level, index, WIDTH);
    }

    /** True when the tile holds all 256 hashes and so never changes again. */
    public boolean isFull() {
        return width == WIDTH;
    }

    /** The same tile at full width: where this tile's hashes end up once the tree has grown. */
    public Tile toFull() {
        return full(level, index);
    }

    /**
     * The node whose hash is hash {@code i} of this tile: tree level {@code 8L}, index
     * {@code N * 256 + i}. Requires {@code 0 <= i < width}.
     */
    public NodeId node(int i) {
        if (i < 0 || i >= width) {
            throw new IllegalArgumentException("hash " + i + " not in tile of width " + width);
        }
        // a tile's hashes are 256 consecutive nodes of its row, starting at the tile's N-th block of 256
        return new NodeId(HEIGHT * level, index * WIDTH + i);
    }

    /**
     * The tile's start index: the first leaf its hashes cover, {@code N * 256^(L+1)} (tlog-tiles,
     * "Merkle Tree").
     */
    public long firstLeaf() {
        return node(0).firstLeaf();
    }

    /**
     * The smallest tree size that has this tile at this width: the hashes' leaves must all be in the
     * tree, {@code (N * 256 + W) * 256^L} (tlog-tiles, "Partial Tiles").
     */
    public long minTreeSize() {
        // the row at tree level 8L has size >> 8L hashes, so W hashes need (N * 256 + W) << 8L leaves
        return (index * WIDTH + width) << (HEIGHT * level);
    }

    /**
     * The tile's path, {@code tile/<L>/<N>} or {@code tile/<L>/<N>.p/<W>} (tlog-tiles, "Merkle
     * Tree"), for example {@code tile/1/x001/x234/067.p/3}.
     */
    public String path() {
        return PREFIX + level + "/" + indexPath();
    }

    /**
     * The path of the entry bundle with these coordinates, {@code tile/entries/<N>[.p/<W>]}
     * (tlog-tiles, "Log entries"). Requires level 0: bundles align with leaf-hash tiles.
     */
    public String entriesPath() {
        if (level != 0) {
            throw new IllegalArgumentException("entry bundles exist at level 0 only, not " + level);
        }
        return ENTRIES_PREFIX + indexPath();
    }

    /** N as 3-digit groups, every group but the last prefixed with 'x', then any width suffix. */
    private String indexPath() {
        StringBuilder path = new StringBuilder(threeDigits(index % 1000));
        for (long rest = index / 1000; rest > 0; rest /= 1000) {
            path.insert(0, "x" + threeDigits(rest % 1000) + "/");
        }
        if (!isFull()) {
            path.append(PARTIAL).append(width);
        }
        return path.toString();
    }

    private static String threeDigits(long group) {
        // 1000 + group has four digits; dropping the '1' leaves the group zero-padded to three
        return Long.toString(1000 + group).substring(1);
    }

    /**
     * Parses a tile path, {@code tile/<L>/<N>[.p/<W>]}, accepting only the one canonical spelling
     * {@link #path()} would produce (tlog-tiles, "Merkle Tree").
     *
     * @throws VerificationException if the path is not exactly such a path, or names a tile no tree
     *     of at most {@link Long#MAX_VALUE} leaves can have
     */
    public static Tile parse(String path) throws VerificationException {
        if (!path.startsWith(PREFIX)) {
            throw new VerificationException("tile path " + quote(path) + " does not start with " + PREFIX);
        }
        int slash = path.indexOf('/', PREFIX.length());
        if (slash < 0) {
            throw new VerificationException("tile path " + quote(path) + " has no index");
        }
        int level = parseDecimal(path.substring(PREFIX.length(), slash), 0, MAX_PATH_LEVEL, "level", path);
        if (level > MAX_LEVEL) {
            throw new VerificationException("tile path " + quote(path) + " has level " + level
                    + ", no tree of at most 2^63 - 1 leaves reaches beyond " + MAX_LEVEL);
        }
        return parseIndex(level, path, slash + 1);
    }

    /**
     * Parses an entry bundle path, {@code tile/entries/<N>[.p/<W>]}, into the coordinates of the
     * level-0 tile it matches, accepting only the canonical spelling (tlog-tiles, "Log entries").
     *
     * @throws VerificationException if the path is not exactly such a path
     */
    public static Tile parseEntries(String path) throws VerificationException {
        if (!path.startsWith(ENTRIES_PREFIX)) {
            throw new VerificationException(
                    "entries path " + quote(path) + " does not start with " + ENTRIES_PREFIX);
        }
        return parseIndex(0, path, ENTRIES_PREFIX.length());
    }

    /** Parses {@code <N>[.p/<W>]} starting at {@code from}. */
    private static Tile parseIndex(int level, String path, int from) throws VerificationException {
        String rest = path.substring(from);
        int width = WIDTH;
        int partial = rest.indexOf(PARTIAL);
        if (partial >= 0) {
            width = parseDecimal(rest.substring(partial + PARTIAL.length()), 1, WIDTH - 1, "width", path);
            rest = rest.substring(0, partial);
        }
        String[] groups = rest.split("/", -1);
        long index = 0;
        for (int g = 0; g < groups.length; g++) {
            boolean last = g == groups.length - 1;
            String group = groups[g];
            String digits = last ? group : stripX(group, path);
            if (digits.length() != 3 || !isDigits(digits)) {
                throw new VerificationException("tile path " + quote(path) + " has index element "
                        + quote(group) + ", want " + (last ? "3 digits" : "'x' and 3 digits"));
            }
            if (g == 0 && !last && digits.equals("000")) {
                throw new VerificationException("tile path " + quote(path) + " has a leading zero index element");
            }
            try {
                index = Math.addExact(Math.multiplyExact(index, 1000), Integer.parseInt(digits));
            } catch (ArithmeticException e) {
                throw new VerificationException("tile path " + quote(path) + " has an index beyond 2^63 - 1", e);
            }
        }
        if (index > maxIndex(level, width)) {
            throw new VerificationException("tile path " + quote(path) + " names a tile beyond any tree of at most "
                    + "2^63 - 1 leaves");
        }
        return new Tile(level, index, width);
    }

    private static String stripX(String group, String path) throws VerificationException {
        if (group.isEmpty() || group.charAt(0) != 'x') {
            throw new VerificationException(
                    "tile path " + quote(path) + " has index element " + quote(group) + ", want 'x' and 3 digits");
        }
        return group.substring(1);
    }

    /** Parses a decimal in [0, max] with no sign and no leading zeros. */
    private static int parseDecimal(String text, int min, int max, String what, String path)
            throws VerificationException {
        boolean canonical = !text.isEmpty() && text.length() <= 3 && isDigits(text)
                && (text.length() == 1 || text.charAt(0) != '0');
        int value = canonical ? Integer.parseInt(text) : -1;
        if (value < min || value > max) {
            throw new VerificationException("tile path " + quote(path) + " has " + what + " " + quote(text)
                    + ", want a decimal " + min + " to " + max + " without leading zeros");
        }
        return value;
    }

    private static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The largest N such that W hashes at N * 256 in row 8L stay inside a tree of 2^63 - 1 leaves. */
    private static long maxIndex(int level, int width) {
        // the row at tree level 8L has at most Long.MAX_VALUE >> 8L hashes
        long rowCapacity = Long.MAX_VALUE >>> (HEIGHT * level);
        // floorDiv, not '/': a negative numerator (row shorter than W) must give no valid index
        return Math.floorDiv(rowCapacity - width, WIDTH);
    }

    private static String quote(String text) {
        return '"' + text + '"';
    }

    /** The tile's path, for logs and messages. */
    @Override
    public String toString() {
        return path();
    }
}
