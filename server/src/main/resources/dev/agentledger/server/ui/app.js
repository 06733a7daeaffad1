// AgentLedger console: reads the public API and verifies what it shows; approvers sign in with a
// console JWT-SVID kept in this tab only (sessionStorage) and sent as a Bearer header, never a cookie.
import { splitNote, parseCheckpoint, checkSignatures, verifyEntry, verifyRevocationEvent, fromBase64, toHex } from './merkle.js';

const state = { discovery: null };
const TOKEN_KEY = 'agentledger.console.token';
const FEED_ROWS = 50;
const STALE_MILLIS = 3000;

async function getJson(path, init = {}) {
  const res = await fetch(path, init);
  if (!res.ok) {
    const text = await res.text();
    let message = text.slice(0, 300);
    try { message = JSON.parse(text).error || message; } catch (e) { /* not JSON */ }
    const error = new Error(`${path}: ${res.status} ${message}`);
    error.status = res.status;
    throw error;
  }
  return res.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function isoSeconds(seconds) {
  return new Date(Number(seconds) * 1000).toISOString();
}

// ---- checkpoint and its cosignatures -------------------------------------------------------

async function showCheckpoint() {
  const box = document.getElementById('checkpoint');
  const note = await (await fetch('/checkpoint')).text();
  const checkpoint = parseCheckpoint(splitNote(note).text);
  const witnessKeys = (state.discovery.witnesses || []).map(w => w.vkey);
  const rows = await checkSignatures(note, state.discovery.log_vkey, witnessKeys);
  const table = el('table', { id: 'signatures' },
    el('thead', {}, el('tr', {}, el('th', {}, 'signer'), el('th', {}, 'key id'), el('th', {}, 'role'),
      el('th', {}, 'cosigned at'), el('th', {}, 'checked in this browser'))));
  const body = el('tbody');
  for (const r of rows) {
    body.append(el('tr', { class: r.role === 'witness' ? 'cosignature' : r.role, 'data-signer': r.name },
      el('td', {}, r.name), el('td', { class: 'mono' }, r.keyId), el('td', {}, r.role),
      el('td', {}, r.time !== undefined ? isoSeconds(r.time) : ''),
      el('td', { class: r.ok ? 'ok' : 'bad' }, r.ok ? '\u2713 Ed25519 signature valid' : `\u2717 ${r.error}`)));
  }
  const cosigners = new Set(rows.filter(r => r.role === 'witness' && r.ok).map(r => r.name));
  for (const vkey of witnessKeys) {
    const name = vkey.slice(0, vkey.indexOf('+'));
    if (!cosigners.has(name)) {
      body.append(el('tr', { class: 'missing', 'data-signer': name }, el('td', {}, name), el('td', {}, ''),
        el('td', {}, 'witness'), el('td', {}, ''), el('td', { class: 'bad' }, '\u2717 no cosignature on this checkpoint yet')));
    }
  }
  table.append(body);
  box.replaceChildren(
    el('dl', {}, el('dt', {}, 'origin'), el('dd', { id: 'checkpoint-origin' }, checkpoint.origin),
      el('dt', {}, 'tree size'), el('dd', { id: 'checkpoint-size' }, checkpoint.size.toString()),
      el('dt', {}, 'root hash'), el('dd', { class: 'mono' }, toHex(checkpoint.root)),
      el('dt', {}, 'witnesses'), el('dd', { id: 'checkpoint-witnesses' },
        witnessKeys.length === 0 ? 'none configured' : `${cosigners.size} of ${witnessKeys.length} cosigned`)),
    table,
    el('details', {}, el('summary', {}, 'signed note'), el('pre', {}, note)));
  return checkpoint;
}

// ---- entries and search ----------------------------------------------------------------------

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
  const result = el('span', { class: 'muted result' });
  const verify = el('button', { type: 'button', class: 'verify' }, 'verify inclusion');
  verify.addEventListener('click', async () => {
    try {
      const checked = await verifyEntry(answer, state.discovery.log_vkey);
      result.className = 'ok result';
      result.textContent = ` \u2713 verified: leaf ${checked.leaf.slice(0, 16)}\u2026 is in the signed tree of size ${checked.size}, root ${checked.root.slice(0, 16)}\u2026`;
    } catch (e) {
      result.className = 'bad result';
      result.textContent = ` \u2717 ${e.message}`;
    }
  });
  return el('details', { class: 'entry card', 'data-index': String(answer.index) },
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

// ---- live revocation feed ----------------------------------------------------------------------

function target(revoked) {
  if (revoked.spiffe_id) return ['SPIFFE ID', revoked.spiffe_id];
  if (revoked.serial) return ['serial', toHex(fromBase64(revoked.serial))];
  if (revoked.token_id) return ['token', revoked.token_id];
  if (revoked.delegation_id) return ['delegation', revoked.delegation_id];
  if (revoked.agent_instance) return ['agent instance', revoked.agent_instance];
  if (revoked.user) return ['user', revoked.user.subject || JSON.stringify(revoked.user)];
  return ['?', ''];
}

function reason(revoked) {
  const text = (revoked.reason || 'REVOCATION_REASON_UNSPECIFIED').replace(/^REVOCATION_REASON_/, '').toLowerCase().replaceAll('_', ' ');
  return revoked.reason_detail ? `${text}: ${revoked.reason_detail}` : text;
}

function followRevocations() {
  const rows = document.getElementById('feed-rows');
  const status = document.getElementById('feed-status');
  const feed = { lastBeat: 0, beat: null, connected: false };
  const source = new EventSource('/api/v1/revocations/events');
  source.addEventListener('open', () => { feed.connected = true; });
  source.addEventListener('error', () => { feed.connected = false; });
  source.addEventListener('revocation', async message => {
    const event = JSON.parse(message.data);
    const revoked = event.revoked || {};
    const [kind, what] = target(revoked);
    const proof = el('td', { class: 'muted' }, 'checking\u2026');
    const row = el('tr', { 'data-sequence': String(event.sequence), class: 'arrived' },
      el('td', {}, String(event.sequence)), el('td', {}, kind), el('td', { class: 'mono target' }, what),
      el('td', {}, reason(revoked)), el('td', {}, String(event.log_index || 0)), el('td', {}, new Date().toISOString()), proof);
    rows.prepend(row);
    while (rows.children.length > FEED_ROWS) rows.lastElementChild.remove();
    try {
      await verifyRevocationEvent(event, state.discovery.log_vkey);
      proof.className = 'ok';
      proof.textContent = '\u2713 in the signed log';
    } catch (e) {
      proof.className = 'bad';
      proof.textContent = `\u2717 ${e.message}`;
    }
  });
  source.addEventListener('heartbeat', message => {
    feed.beat = JSON.parse(message.data);
    feed.lastBeat = Date.now();
  });
  source.addEventListener('closed', message => {
    const closed = JSON.parse(message.data);
    status.textContent = `the server closed the feed (${closed.cause}): ${closed.message}; reconnecting`;
  });
  setInterval(() => {
    if (!feed.beat) {
      status.className = 'muted';
      status.textContent = feed.connected ? 'connected, waiting for the first heartbeat' : 'connecting\u2026';
      return;
    }
    const age = Date.now() - feed.lastBeat;
    const fresh = feed.connected && age < STALE_MILLIS;
    status.className = fresh ? 'ok' : 'bad';
    status.textContent = `${fresh ? '\u2713 live' : '\u2717 stale'}: last heartbeat ${(age / 1000).toFixed(1)} s ago `
      + `(server time ${new Date(Number(feed.beat.time_unix_millis || 0)).toISOString()}), `
      + `latest revocation sequence ${feed.beat.sequence || 0}`;
  }, 500);
}

// ---- approvals (approvers only) ----------------------------------------------------------------

function claims(token) {
  const part = token.split('.')[1] || '';
  const base64 = part.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  return JSON.parse(new TextDecoder().decode(fromBase64(base64)));
}

function authorized(init = {}) {
  return { ...init, headers: { ...(init.headers || {}), Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } };
}

function approvalView(approval) {
  const comment = el('input', { class: 'comment', placeholder: 'comment (logged publicly)', size: '30', 'aria-label': 'comment' });
  const approve = el('button', { type: 'button', class: 'approve' }, 'Approve');
  const deny = el('button', { type: 'button', class: 'deny' }, 'Deny');
  const result = el('span', { class: 'result' });
  const decide = async verb => {
    approve.disabled = deny.disabled = true;
    try {
      const decided = await getJson(`/api/v1/approvals/${encodeURIComponent(approval.approval_id)}/${verb}`, authorized({
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ comment: comment.value }) }));
      result.className = 'ok result';
      result.textContent = `\u2713 ${decided.status} by ${decided.decided_by}`;
    } catch (e) {
      result.className = 'bad result';
      result.textContent = `\u2717 ${e.message}`;
      approve.disabled = deny.disabled = false;
      if (e.status === 401) signOut(e.message);
    }
  };
  approve.addEventListener('click', () => decide('approve'));
  deny.addEventListener('click', () => decide('deny'));
  const fields = [['principal', approval.principal], ['acting for', approval.acting_user], ['action', approval.action],
    ['resource', approval.resource], ['reason', approval.reason], ['policy', approval.policy],
    ['expires', isoSeconds(approval.expires_unix)], ['context', JSON.stringify(approval.context || {})]];
  const list = el('dl');
  for (const [name, value] of fields) {
    if (value !== undefined && value !== '') list.append(el('dt', {}, name), el('dd', {}, value));
  }
  return el('div', { class: 'approval card', 'data-approval-id': approval.approval_id },
    el('strong', {}, approval.approval_id), list, comment, approve, deny, result);
}

async function showApprovals() {
  const box = document.getElementById('approvals');
  try {
    const answer = await getJson('/api/v1/approvals', authorized());
    box.replaceChildren(...(answer.pending.length === 0
      ? [el('p', { class: 'muted' }, 'no pending approvals')]
      : answer.pending.map(approvalView)));
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      signOut(e.message);
    } else {
      box.replaceChildren(el('p', { class: 'bad' }, e.message));
    }
  }
}

function signOut(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById('sign-in-form').hidden = false;
  document.getElementById('session').hidden = true;
  document.getElementById('approvals').replaceChildren(...(why ? [el('p', { class: 'bad', id: 'sign-in-error' }, why)] : []));
}

async function signedIn() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  let shown;
  try {
    const c = claims(token);
    shown = `${c.sub} (token ${c.jti || '?'}, until ${isoSeconds(c.exp)})`;
  } catch (e) {
    signOut('that is not a JWT-SVID');
    return;
  }
  document.getElementById('sign-in-form').hidden = true;
  document.getElementById('session').hidden = false;
  document.getElementById('session-id').textContent = shown;
  await showApprovals();
}

function setUpApprovals() {
  document.getElementById('sign-in-form').addEventListener('submit', async event => {
    event.preventDefault();
    const input = document.getElementById('token-input');
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    await signedIn();
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut(''));
  document.getElementById('refresh-approvals').addEventListener('click', showApprovals);
  if (sessionStorage.getItem(TOKEN_KEY)) signedIn();
}

// ---- start -------------------------------------------------------------------------------------

async function main() {
  setUpApprovals();
  state.discovery = await getJson('/.well-known/agentledger');
  followRevocations();
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
  document.body.dataset.ready = 'true';
}

main().catch(e => document.getElementById('checkpoint').replaceChildren(el('p', { class: 'bad' }, e.message)));
