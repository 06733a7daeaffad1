package dev.agentledger.server.cli;

import dev.agentledger.merkle.Hash;
import dev.agentledger.server.client.VerifiedInclusion;
import java.io.PrintWriter;

/** How the log commands print a verified inclusion: leaf hash, checkpoint note, proof, verdict. */
final class Output {
    private Output() {}

    static void proven(PrintWriter out, VerifiedInclusion verified) {
        out.println("leaf hash: " + verified.leafHash().toBase64());
        out.println("checkpoint:");
        verified.note().lines().forEach(line -> out.println("  " + line));
        out.println("inclusion proof (index " + verified.proof().index() + ", tree size " + verified.proof().size()
                + ", " + verified.proof().hashes().size() + " hashes):");
        for (Hash h : verified.proof().hashes()) {
            out.println("  " + h.toBase64());
        }
        out.println(verified.proof().size() == verified.checkpoint().size()
                ? "verified: the checkpoint is signed by the log key and the proof gives its root"
                : "verified: the checkpoint is signed by the log key, the proof gives the root at tree size "
                        + verified.proof().size() + " and that root is consistent with the checkpoint's");
    }
}
