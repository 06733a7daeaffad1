/** C2SP tlog-tiles: tile coordinates, tile and entry-bundle paths, and entry bundles. */
package dev.agentledger.merkle.tiles;
