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
console.log(`ok ${checked}`);
