// AgentLedger console: reads the public API only and verifies what it shows.
import { splitNote, parseCheckpoint, verifyLogSignature, verifyCosignature, verifyEntry, fromBase64, toHex } from './merkle.js';

const state = { discovery: null };

async function getJson(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function showCheckpoint() {
  const box = document.getElementById('checkpoint');
  const note = await (await fetch('/checkpoint')).text();
  const checkpoint = parseCheckpoint(splitNote(note).text);
  box.replaceChildren(el('pre', {}, note));
  try {
    await verifyLogSignature(note, state.discovery.log_vkey);
    box.append(el('p', { class: 'ok' }, `\u2713 signed by the log key ${state.discovery.log_vkey.slice(0, state.discovery.log_vkey.lastIndexOf('+'))}`));
  } catch (e) {
    box.append(el('p', { class: 'bad' }, `\u2717 ${e.message}`));
  }
  for (const w of state.discovery.witnesses || []) {
    try {
      const time = await verifyCosignature(note, w.vkey);
      box.append(el('p', { class: 'ok' }, `\u2713 cosigned by witness ${w.vkey.slice(0, w.vkey.indexOf('+'))} at ${new Date(Number(time) * 1000).toISOString()}`));
    } catch (e) {
      box.append(el('p', { class: 'bad' }, `\u2717 witness ${w.vkey.slice(0, w.vkey.indexOf('+'))}: ${e.message}`));
    }
  }
  return checkpoint;
}

function summary(entry) {
  const kind = Object.keys(entry).find(k => k !== 'header') || 'unknown';
  const event = entry[kind] || {};
  const about = event.spiffe_id || event.subject_spiffe_id || event.delegate_spiffe_id || event.token_id
    || event.delegation_id || event.approval_id || event.policy_id || event.key_id || event.caller_spiffe_id || '';
  return { kind, about };
}

function entryView(answer) {
  const { kind, about } = summary(answer.entry || {});
  const time = answer.entry?.header?.time_unix_millis;
  const result = el('span', { class: 'muted' });
  const verify = el('button', { type: 'button' }, 'verify inclusion');
  verify.addEventListener('click', async () => {
    try {
      const checked = await verifyEntry(answer, state.discovery.log_vkey);
      result.className = 'ok';
      result.textContent = ` \u2713 leaf ${checked.leaf.slice(0, 16)}\u2026 is in the signed tree of size ${checked.size}, root ${checked.root.slice(0, 16)}\u2026`;
    } catch (e) {
      result.className = 'bad';
      result.textContent = ` \u2717 ${e.message}`;
    }
  });
  return el('details', { class: 'entry card' },
    el('summary', {}, el('span', { class: 'kind' }, `#${answer.index} ${kind}`), ` ${about} `,
      el('span', { class: 'muted' }, time ? new Date(Number(time)).toISOString() : ''), verify, result),
    el('pre', {}, JSON.stringify(answer.entry, null, 2)));
}

async function showEntries(indexes, title) {
  document.getElementById('entries-title').textContent = title;
  const list = document.getElementById('entries');
  list.replaceChildren();
  for (const i of indexes) {
    list.append(entryView(await getJson(`/api/v1/entries/${i}`)));
  }
  if (indexes.length === 0) list.append(el('p', { class: 'muted' }, 'nothing found'));
}

async function main() {
  state.discovery = await getJson('/.well-known/agentledger');
  const checkpoint = await showCheckpoint();
  const size = Number(checkpoint.size);
  const recent = [];
  for (let i = size - 1; i >= Math.max(0, size - 25); i--) recent.push(i);
  await showEntries(recent, `Recent entries (latest ${recent.length} of ${size})`);
  document.getElementById('search').addEventListener('submit', async event => {
    event.preventDefault();
    const kind = document.getElementById('search-kind').value;
    const value = document.getElementById('search-value').value.trim();
    try {
      const found = await getJson(`/api/v1/lookup?${kind}=${encodeURIComponent(value)}&limit=100`);
      await showEntries(found.indexes, `Entries about ${value}`);
    } catch (e) {
      document.getElementById('entries').replaceChildren(el('p', { class: 'bad' }, e.message));
    }
  });
}

main().catch(e => document.getElementById('checkpoint').replaceChildren(el('p', { class: 'bad' }, e.message)));
