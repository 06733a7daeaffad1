// AgentLedger console: RFC 9162 proofs and C2SP signed notes, checked in the browser with WebCrypto.
// Nothing here trusts the server: every hash is recomputed and every signature verified locally.

const encoder = new TextEncoder();

/** SHA-256 of bytes. */
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** RFC 9162 section 2.1.1: leaf hash = SHA-256(0x00 || entry). */
export function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0), entry));
}

/** RFC 9162 section 2.1.1: node hash = SHA-256(0x01 || left || right). */
export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function toHex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * RFC 9162 section 2.1.3.2: the root an inclusion proof leads to from a leaf hash.
 * Throws on an index beyond the size or a proof of the wrong length.
 */
export async function rootFromInclusionProof(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) throw new Error(`index ${index} is not below size ${size}`);
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new Error('a proof hash is not 32 bytes');
    if (sn === 0n) throw new Error('proof is longer than the tree is deep');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('proof is shorter than the tree is deep');
  return r;
}

/** Splits a C2SP signed note into its text (what is signed) and its signature lines. */
export function splitNote(note) {
  const at = note.indexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, at + 1);
  const signatures = note.slice(at + 2, -1).split('\n').map(line => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line: ' + line);
    return { name: m[1], blob: fromBase64(m[2]) };
  });
  return { text, signatures };
}

/** C2SP tlog-checkpoint: origin, size, root hash, extension lines. */
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error('not a checkpoint');
  const root = fromBase64(lines[2]);
  if (root.length !== 32) throw new Error('checkpoint root is not 32 bytes');
  return { origin: lines[0], size: BigInt(lines[1]), root, extensions: lines.slice(3, -1) };
}

/** A note verifier key `<name>+<hex key id>+<base64(type || public key)>`. */
export function parseVerifierKey(vkey) {
  // Split at the first two '+' only: the base64 key may contain '+' itself.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new Error('not a verifier key: ' + vkey);
  const name = vkey.slice(0, first);
  const hexId = vkey.slice(first + 1, second);
  const raw = fromBase64(vkey.slice(second + 1));
  return { name, keyId: hexId, type: raw[0], publicKey: raw.slice(1) };
}

async function ed25519Verify(publicKey, signature, message) {
  const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
}

/** Verifies the note's Ed25519 signature by the log key (C2SP signed-note, type 0x01). */
export async function verifyLogSignature(note, vkey) {
  const key = parseVerifierKey(vkey);
  if (key.type !== 0x01) throw new Error('the log key is not an Ed25519 note key');
  const { text, signatures } = splitNote(note);
  for (const s of signatures) {
    if (s.name === key.name && toHex(s.blob.slice(0, 4)) === key.keyId && s.blob.length === 68) {
      if (await ed25519Verify(key.publicKey, s.blob.slice(4), encoder.encode(text))) return true;
    }
  }
  throw new Error(`no valid signature by ${key.name}+${key.keyId}`);
}

/** Verifies a witness's cosignature/v1 (C2SP tlog-cosignature, type 0x04); returns its timestamp. */
export async function verifyCosignature(note, vkey) {
  const key = parseVerifierKey(vkey);
  if (key.type !== 0x04) throw new Error('not a cosignature/v1 key');
  const { text, signatures } = splitNote(note);
  for (const s of signatures) {
    if (s.name === key.name && toHex(s.blob.slice(0, 4)) === key.keyId && s.blob.length === 76) {
      const time = new DataView(s.blob.buffer, s.blob.byteOffset + 4, 8).getBigUint64(0);
      const message = encoder.encode(`cosignature/v1\ntime ${time}\n` + text);
      if (await ed25519Verify(key.publicKey, s.blob.slice(12), message)) return time;
    }
  }
  throw new Error(`no valid cosignature by ${key.name}+${key.keyId}`);
}

/**
 * Verifies that the logged bytes {@code entry} are at {@code index} of the tree in the signed
 * checkpoint {@code note}: the log key signed the note, the proof is for this index and the
 * note's size, and it leads from the entry's RFC 9162 leaf hash to the note's root. Returns
 * what was checked.
 */
export async function verifyInclusion(entry, index, proof, note, vkey) {
  const leaf = await leafHash(entry);
  await verifyLogSignature(note, vkey);
  const checkpoint = parseCheckpoint(splitNote(note).text);
  if (BigInt(proof.tree_size) !== checkpoint.size || BigInt(proof.index) !== BigInt(index)) {
    throw new Error('the proof is not for this entry and checkpoint');
  }
  const root = await rootFromInclusionProof(proof.index, proof.tree_size, leaf, (proof.hashes || []).map(fromBase64));
  if (!equalBytes(root, checkpoint.root)) throw new Error('the proof does not lead to the signed root');
  return { index: BigInt(index), size: checkpoint.size, root: toHex(root), leaf: toHex(leaf) };
}

/**
 * Verifies an entry as the JSON API serves it ({@code /api/v1/entries/N}): the entry bytes hash
 * to the leaf hash given, and {@link verifyInclusion} holds. Returns what was checked.
 */
export async function verifyEntry(answer, vkey) {
  const entry = fromBase64(answer.entry_base64);
  if (!equalBytes(await leafHash(entry), fromBase64(answer.leaf_hash))) throw new Error('the entry does not hash to the leaf hash given');
  return verifyInclusion(entry, answer.index, answer.proof, answer.checkpoint, vkey);
}

/**
 * Verifies a revocation feed event (protobuf JSON of {@code RevocationEvent}): its logged entry
 * is at its log index under its signed checkpoint.
 */
export async function verifyRevocationEvent(event, vkey) {
  const note = new TextDecoder().decode(fromBase64(event.checkpoint));
  return verifyInclusion(fromBase64(event.entry), event.log_index || 0, event.inclusion_proof, note, vkey);
}

/**
 * Every signature line of {@code note}, checked against the log key and the witness keys:
 * {@code {name, keyId, role: 'log'|'witness'|'unknown', ok, time?, error?}} per line. A line whose
 * key is not given is reported as unknown, not verified.
 */
export async function checkSignatures(note, logVkey, witnessVkeys) {
  const { signatures } = splitNote(note);
  const log = parseVerifierKey(logVkey);
  const witnesses = witnessVkeys.map(v => ({ vkey: v, key: parseVerifierKey(v) }));
  const results = [];
  for (const s of signatures) {
    const keyId = toHex(s.blob.slice(0, 4));
    const row = { name: s.name, keyId, role: 'unknown', ok: false };
    try {
      if (s.name === log.name && keyId === log.keyId) {
        row.role = 'log';
        row.ok = await verifyLogSignature(note, logVkey);
      } else {
        const w = witnesses.find(c => c.key.name === s.name && c.key.keyId === keyId);
        if (w) {
          row.role = 'witness';
          row.time = await verifyCosignature(note, w.vkey);
          row.ok = true;
        } else {
          row.error = 'key not published in discovery: not verified';
        }
      }
    } catch (e) {
      row.error = e.message;
    }
    results.push(row);
  }
  return results;
}
