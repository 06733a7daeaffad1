// Checks the console's verifier (merkle.js) against a live server's output, saved by ConsoleVerifierTest.
// Usage: node verify-fixture.mjs <merkle.js path> <fixture dir>
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [merklePath, dir] = process.argv.slice(2);
const m = await import(pathToFileURL(merklePath).href);
const discovery = JSON.parse(readFileSync(join(dir, 'discovery.json'), 'utf8'));
const note = readFileSync(join(dir, 'checkpoint.txt'), 'utf8');

async function mustFail(what, f) {
  try { await f(); } catch (e) { return; }
  throw new Error(`${what} was accepted`);
}

const plus = m.parseVerifierKey('a+01020304+AT+/' + 'A'.repeat(40));
if (plus.name !== 'a' || plus.keyId !== '01020304') throw new Error('a verifier key with + in its base64 was misread');
await m.verifyLogSignature(note, discovery.log_vkey);
await mustFail('a checkpoint with a changed size', () => m.verifyLogSignature(note.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`), discovery.log_vkey));
let checked = 0;
for (const name of readdirSync(dir).filter(f => f.startsWith('entry-'))) {
  const answer = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  await m.verifyEntry(answer, discovery.log_vkey);
  if (answer.proof.hashes.length > 0) {
    const bad = structuredClone(answer);
    const h = m.fromBase64(bad.proof.hashes[0]); h[0] ^= 1;
    bad.proof.hashes[0] = Buffer.from(h).toString('base64');
    await mustFail(`entry ${answer.index} with a flipped proof bit`, () => m.verifyEntry(bad, discovery.log_vkey));
    const short = structuredClone(answer); short.proof.hashes.pop();
    await mustFail(`entry ${answer.index} with a short proof`, () => m.verifyEntry(short, discovery.log_vkey));
  }
  const otherEntry = structuredClone(answer);
  otherEntry.entry_base64 = Buffer.from('not the entry').toString('base64');
  await mustFail(`entry ${answer.index} with other bytes`, () => m.verifyEntry(otherEntry, discovery.log_vkey));
  checked++;
}

// Signature lines: the log's verifies, a changed note does not, a line by an unpublished key is reported, not trusted.
const rows = await m.checkSignatures(note, discovery.log_vkey, []);
if (rows.length !== 1 || rows[0].role !== 'log' || !rows[0].ok) throw new Error('the log signature line was not verified: ' + JSON.stringify(rows));
const changed = await m.checkSignatures(note.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`), discovery.log_vkey, []);
if (changed[0].ok) throw new Error('a changed checkpoint kept a valid log signature line');
const stranger = note + '\u2014 stranger.example/w ' + Buffer.from(new Uint8Array(76)).toString('base64') + '\n';
const strangerRows = await m.checkSignatures(stranger, discovery.log_vkey, []);
if (strangerRows.length !== 2 || strangerRows[1].role !== 'unknown' || strangerRows[1].ok) throw new Error('an unknown signer was trusted');

// Revocation feed events (the snapshot holds them in the same protobuf JSON as the SSE feed).
const snapshot = JSON.parse(readFileSync(join(dir, 'revocations.json'), 'utf8'));
let revocations = 0;
for (const event of snapshot.revocations) {
  await m.verifyRevocationEvent(event, discovery.log_vkey);
  const other = structuredClone(event);
  other.log_index = String(BigInt(event.log_index || 0) + 1n);
  await mustFail(`revocation ${event.sequence} at another index`, () => m.verifyRevocationEvent(other, discovery.log_vkey));
  revocations++;
}
if (revocations === 0) throw new Error('no revocation events to check');
console.log(`ok ${checked} entries, ${revocations} revocations`);
