/**
 * C2SP signed notes (c2sp.org/signed-note), transparency log checkpoints
 * (c2sp.org/tlog-checkpoint) and Ed25519 witness cosignatures (c2sp.org/tlog-cosignature,
 * {@code cosignature/v1}), with the Go reference implementation golang.org/x/mod/sumdb/note as
 * the model for the wire format and key strings.
 *
 * <p>Entry points: {@link dev.agentledger.merkle.note.Notes#open Notes.open} verifies a note
 * against known {@link dev.agentledger.merkle.note.NoteVerifier}s and {@link
 * dev.agentledger.merkle.note.Notes#sign Notes.sign} signs a text; {@link
 * dev.agentledger.merkle.note.Checkpoint} parses and formats the text of a checkpoint note; keys
 * come from {@link dev.agentledger.merkle.note.SignerKey} and {@link
 * dev.agentledger.merkle.note.VerifierKey} strings. Ed25519 runs through {@code java.security},
 * optionally on a caller-chosen {@link java.security.Provider}.
 */
package dev.agentledger.merkle.note;
