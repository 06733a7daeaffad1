/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile coordinates and widths for a tree size, tile
 * and entry-bundle paths, tile bodies, entry bundles, and a {@link dev.agentledger.merkle.NodeSource}
 * that reads node hashes from tiles. Tile height is fixed at 8 (256 hashes per full tile).
 */
package dev.agentledger.merkle.tiles;
