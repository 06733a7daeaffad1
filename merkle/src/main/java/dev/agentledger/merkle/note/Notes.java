package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens and signs C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank
 * line, and one or more lines {@code — <key name> base64(key ID || signature)}.
 *
 * <p>Security guarantees: {@link #open} returns a note only if at least one signature by a known
 * key verified and no signature by a known key failed; signatures by unknown keys are kept but
 * never trusted. Inputs over {@link #MAX_NOTE_SIZE} bytes or {@link #MAX_SIGNATURES} signature
 * lines are refused before any signature is checked.
 */
public final class Notes {
    /** The largest note {@link #open} reads: 1 MiB. */
    public static final int MAX_NOTE_SIZE = 1 << 20;
    /**
     * The most signature lines a note may carry. The spec requires accepting at least 16; the Go
     * reference stops at 100.
     */
    public static final int MAX_SIGNATURES = 100;

    private Notes() {}

    /** A key as signature lines name it: the pair that must match for a verifier to apply. */
    private record KeyRef(String name, KeyId keyId) {}

    /**
     * Opens a note given as a string; see {@link #open(byte[], Collection)}.
     *
     * @throws MalformedNoteException also if {@code note} holds an unpaired surrogate
     */
    public static Note open(String note, Collection<? extends NoteVerifier> known)
            throws VerificationException {
        try {
            return open(NoteSyntax.encodeUtf8(note), known);
        } catch (CharacterCodingException e) {
            throw new MalformedNoteException("text is not valid Unicode (unpaired surrogate)");
        }
    }

    /**
     * Parses {@code note} and verifies its signatures against {@code known}
     * (c2sp.org/signed-note, sections "Format" and "Signatures"). A signature line whose key name
     * and key ID both match a known verifier must verify; other lines are kept as unverified.
     *
     * @param note the note's bytes, UTF-8
     * @param known the trusted verifiers; no two unequal ones may share both name and key ID
     * @throws MalformedNoteException if the note is not valid UTF-8, holds a control character
     *     other than newline, has no blank line before its signatures, has a signature line that
     *     is malformed or does not end in a newline, or exceeds the size or signature limits
     * @throws InvalidSignatureException if a signature by a known key does not verify
     * @throws UnverifiedNoteException if no signature is by a known key
     * @throws IllegalArgumentException if two unequal verifiers in {@code known} share name and
     *     key ID: which key is meant would be ambiguous
     */
    public static Note open(byte[] note, Collection<? extends NoteVerifier> known)
            throws VerificationException {
        Map<KeyRef, NoteVerifier> verifiers = index(known);
        if (note.length > MAX_NOTE_SIZE) {
            throw new MalformedNoteException(
                    "note is " + note.length + " bytes, limit " + MAX_NOTE_SIZE);
        }
        String whole;
        try {
            whole = NoteSyntax.decodeUtf8(note, 0, note.length);
        } catch (CharacterCodingException e) {
            throw new MalformedNoteException("note is not valid UTF-8");
        }
        Optional<String> problem = NoteSyntax.textProblem(whole);
        if (problem.isPresent()) {
            throw new MalformedNoteException("note has a " + problem.get());
        }
        // The text ends at the last blank line; it keeps its own final newline.
        int split = whole.lastIndexOf("\n\n");
        if (split < 0) {
            throw new MalformedNoteException("no blank line between text and signatures");
        }
        String text = whole.substring(0, split + 1);
        List<NoteSignature> lines = parseSignatureLines(whole.substring(split + 2));
        return verify(text, lines, verifiers);
    }

    /** Signs {@code text} with each signer in turn; see {@link #sign(String, List)}. */
    public static String sign(String text, NoteSigner... signers) {
        return sign(text, List.of(signers));
    }

    /**
     * Signs {@code text} and returns the note: the text, a blank line, and one signature line per
     * signer in the given order (c2sp.org/signed-note, section "Format").
     *
     * @throws IllegalArgumentException if {@code text} is empty, does not end in a newline, holds
     *     a control character other than newline or an unpaired surrogate; if there are no
     *     signers, two signers share name and key ID, or a signer's name is invalid; or if the
     *     note would exceed {@link #MAX_NOTE_SIZE} or {@link #MAX_SIGNATURES}
     */
    public static String sign(String text, List<? extends NoteSigner> signers) {
        return assemble(text, List.of(), signers);
    }

    /**
     * Adds signatures to an opened note, as a witness does when it cosigns a checkpoint: the
     * note's existing signature lines, minus any by the same name and key ID as a new signer, then
     * one new line per signer.
     *
     * @throws IllegalArgumentException as {@link #sign(String, List)} does
     */
    public static String addSignatures(Note note, List<? extends NoteSigner> signers) {
        Set<KeyRef> replaced = new HashSet<>();
        for (NoteSigner signer : signers) {
            replaced.add(new KeyRef(signer.name(), signer.keyId()));
        }
        List<NoteSignature> kept = note.signatures().stream()
                .filter(s -> !replaced.contains(new KeyRef(s.name(), s.keyId())))
                .toList();
        return assemble(note.text(), kept, signers);
    }

    private static String assemble(
            String text, List<NoteSignature> existing, List<? extends NoteSigner> signers) {
        byte[] textBytes = requireText(text);
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("no signers, want at least one");
        }
        StringBuilder note = new StringBuilder(text).append('\n');
        existing.forEach(signature -> note.append(signature.line()));
        Set<KeyRef> seen = new HashSet<>();
        for (NoteSigner signer : signers) {
            String name = NoteSyntax.requireValidKeyName(signer.name());
            if (!seen.add(new KeyRef(name, signer.keyId()))) {
                throw new IllegalArgumentException("two signers are " + name + "+" + signer.keyId());
            }
            byte[] signature = signer.sign(textBytes);
            if (signature.length == 0) {
                throw new IllegalArgumentException("signer " + name + " returned an empty signature");
            }
            note.append(NoteSignature.adopt(name, signer.keyId(), signature).line());
        }
        int count = existing.size() + signers.size();
        if (count > MAX_SIGNATURES) {
            throw new IllegalArgumentException(count + " signatures, limit " + MAX_SIGNATURES);
        }
        String result = note.toString();
        int size = utf8Length(result);
        if (size > MAX_NOTE_SIZE) {
            throw new IllegalArgumentException("note would be " + size + " bytes, limit " + MAX_NOTE_SIZE);
        }
        return result;
    }

    /** Checks a text to sign and returns its UTF-8. */
    private static byte[] requireText(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must be non-empty and end with a newline");
        }
        NoteSyntax.textProblem(text).ifPresent(problem -> {
            throw new IllegalArgumentException("note text has a " + problem);
        });
        try {
            return NoteSyntax.encodeUtf8(text);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("note text is not valid Unicode", e);
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Map<KeyRef, NoteVerifier> index(Collection<? extends NoteVerifier> known) {
        Map<KeyRef, NoteVerifier> byKey = new HashMap<>();
        for (NoteVerifier verifier : known) {
            KeyRef ref = new KeyRef(verifier.name(), verifier.keyId());
            NoteVerifier earlier = byKey.putIfAbsent(ref, verifier);
            if (earlier != null && !earlier.equals(verifier)) {
                throw new IllegalArgumentException(
                        "two verifiers are " + ref.name() + "+" + ref.keyId() + "; keys are ambiguous");
            }
        }
        return byKey;
    }

    /** Parses the signature block after the blank line, each line ending in a newline. */
    private static List<NoteSignature> parseSignatureLines(String block) throws MalformedNoteException {
        if (block.isEmpty()) {
            throw new MalformedNoteException("no signature lines after the blank line");
        }
        if (!block.endsWith("\n")) {
            throw new MalformedNoteException("last signature line does not end with a newline");
        }
        String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new MalformedNoteException(
                    lines.length + " signature lines, limit " + MAX_SIGNATURES);
        }
        List<NoteSignature> signatures = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            signatures.add(parseSignatureLine(i + 1, lines[i]));
        }
        return signatures;
    }

    private static NoteSignature parseSignatureLine(int number, String line)
            throws MalformedNoteException {
        String where = "signature line " + number + ": ";
        if (!line.startsWith(NoteSignature.LINE_PREFIX)) {
            throw new MalformedNoteException(where + "does not start with an em dash (U+2014) and a space");
        }
        String rest = line.substring(NoteSignature.LINE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space < 0) {
            throw new MalformedNoteException(where + "no space between key name and signature");
        }
        String name = rest.substring(0, space);
        if (!NoteSyntax.isValidKeyName(name)) {
            throw new MalformedNoteException(
                    where + "key name \"" + name + "\" is empty or holds a space or '+'");
        }
        byte[] payload;
        try {
            payload = NoteSyntax.decodeBase64(rest.substring(space + 1));
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(where + "signature is not canonical padded base64");
        }
        if (payload.length < KeyId.SIZE + 1) {
            throw new MalformedNoteException(where + "signature is " + payload.length
                    + " bytes, want at least " + (KeyId.SIZE + 1) + " (key ID and signature)");
        }
        return NoteSignature.adopt(name, KeyId.fromBytes(payload, 0),
                Arrays.copyOfRange(payload, KeyId.SIZE, payload.length));
    }

    /** Verifies the signatures by known keys, keeping the rest (c2sp.org/signed-note, "Signatures"). */
    private static Note verify(String text, List<NoteSignature> lines, Map<KeyRef, NoteVerifier> verifiers)
            throws VerificationException {
        byte[] textBytes;
        try {
            textBytes = NoteSyntax.encodeUtf8(text);
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("text decoded from valid UTF-8 must encode", e);
        }
        List<NoteSignature> kept = new ArrayList<>();
        List<Note.Verified> verified = new ArrayList<>();
        Set<KeyRef> verifiedKeys = new HashSet<>();
        for (NoteSignature signature : lines) {
            KeyRef ref = new KeyRef(signature.name(), signature.keyId());
            NoteVerifier verifier = verifiers.get(ref);
            if (verifier == null) {
                if (!kept.contains(signature)) {
                    kept.add(signature);
                }
            } else if (verifiedKeys.add(ref)) {
                try {
                    verifier.verify(textBytes, signature.signatureBytes());
                } catch (VerificationException e) {
                    throw new InvalidSignatureException(signature.name(), signature.keyId(), e);
                }
                kept.add(signature);
                verified.add(new Note.Verified(signature, verifier));
            }
        }
        if (verified.isEmpty()) {
            throw new UnverifiedNoteException(kept);
        }
        return new Note(text, kept, verified);
    }
}
