// The chat service under hostile or unlucky conditions (issue 10, "Hardening"): origins, names,
// exact resumption, rooms, rate limits and storage failures, each against the real binary with
// the official clients (socket.io-client, ws, eventsource) and fetch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { startServer } from './lib/process.mjs';

const binary = process.env.SB_SWITCHBOARD;
const shards = process.env.SB_SHARDS ?? '2';
const EVIL = 'http://evil.example';
const GOOD = 'http://good.example';
// Lets one client post as fast as a test needs (the limits are tested with their own).
const UNLIMITED = ['--name-burst', '1000000', '--address-burst', '1000000', '--room-create-burst', '1000'];

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Starts `switchboard serve` on a fresh data folder; stopped (exit 0 expected) after the file. */
async function serve(args = []) {
  const data = mkdtempSync(join(tmpdir(), 'sb-hard-'));
  const server = await startServer(binary, ['serve', '--shards', shards, '--data', data, ...args], { argsFirst: true });
  const base = `http://127.0.0.1:${server.port}`;
  cleanups.push(async () => {
    assert.equal(await server.stop(), 0);
    rmSync(data, { recursive: true, force: true });
  });
  return { server, data, base, port: server.port, wsBase: `ws://127.0.0.1:${server.port}` };
}

function post(base, room, user, text, headers = {}) {
  return fetch(`${base}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ user, text }),
  });
}

async function postOk(base, room, user, text) {
  const res = await post(base, room, user, text);
  const body = await res.text();
  assert.equal(res.status, 201, `POST ${room}: ${res.status} ${body}`);
  return JSON.parse(body).message;
}

async function roomNames(base) {
  const res = await fetch(`${base}/api/rooms`);
  assert.equal(res.status, 200);
  return (await res.json()).rooms.map((r) => r.name);
}

/** Resolves to the HTTP status of a WebSocket handshake (101 when it opened). */
function wsStatus(url, origin) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('error', (e) => { if (!/Unexpected server response/.test(e.message)) reject(e); });
  });
}

async function sioConnect(base, name, options = {}) {
  const socket = io(`${base}/chat`, { auth: { name }, transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  const result = await Promise.race([
    once(socket, 'connect').then(() => null),
    once(socket, 'connect_error').then(([e]) => e),
  ]);
  if (result) {
    socket.close();
    throw result;
  }
  return socket;
}

/** Waits until check() returns true (for effects of a background timer), or fails. */
async function eventually(check, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- 9. one origin policy on every transport ----

test('every transport refuses a page from another site and serves its own', async () => {
  const { base, port, wsBase } = await serve();
  const self = `http://127.0.0.1:${port}`;
  await postOk(base, 'lobby', 'ada', 'hello');
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=eve`, EVIL), 403);
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=ada`, self), 101);
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=bot`), 101); // not a browser
  await assert.rejects(sioConnect(base, 'eve', { extraHeaders: { Origin: EVIL } }));
  (await sioConnect(base, 'ada', { extraHeaders: { Origin: self } })).close();
  assert.equal((await post(base, 'lobby', 'eve', 'forged', { Origin: EVIL })).status, 403);
  assert.equal((await fetch(`${base}/api/rooms/lobby/events`, { headers: { Origin: EVIL } })).status, 403);
  assert.equal((await fetch(`${base}/api/rooms/lobby/poll?after=0`, { headers: { Origin: EVIL } })).status, 403);
  assert.equal((await fetch(`${base}/api/rooms/lobby/messages`, { headers: { Origin: EVIL } })).status, 403);
  // What a cross-site form or fetch can send without a preflight is refused.
  const plain = await fetch(`${base}/api/rooms/lobby/messages`, {
    method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ user: 'eve', text: 'forged' }),
  });
  assert.equal(plain.status, 415);
  const { messages } = await (await fetch(`${base}/api/rooms/lobby/messages`)).json();
  assert.deepEqual(messages.map((m) => m.text), ['hello']);
});

test('--allow-origin adds origins and still serves the page its own', async () => {
  const { base, port, wsBase } = await serve(['--allow-origin', GOOD]);
  const self = `http://127.0.0.1:${port}`;
  await postOk(base, 'lobby', 'ada', 'hello');
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=ada`, self), 101);
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=gus`, GOOD), 101);
  assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=eve`, EVIL), 403);
  (await sioConnect(base, 'gus', { extraHeaders: { Origin: GOOD } })).close();
  (await sioConnect(base, 'ada', { extraHeaders: { Origin: self } })).close();
  assert.equal((await post(base, 'lobby', 'gus', 'hi', { Origin: GOOD })).status, 201);
  assert.equal((await post(base, 'lobby', 'eve', 'forged', { Origin: EVIL })).status, 403);
});

// ---- 13. names that deceive ----

test('names with format characters are refused and names are compared in NFC', async () => {
  const { base, wsBase } = await serve();
  for (const name of ['ad\u200Ba', '\u202Eada', 'a\u2066b', '\uFEFFada']) {
    assert.equal((await post(base, 'lobby', name, 'hi')).status, 400, JSON.stringify(name));
    assert.equal(await wsStatus(`${wsBase}/ws/chat/lobby/?name=${encodeURIComponent(name)}`), 400);
    await assert.rejects(sioConnect(base, name), /invalid name/);
  }
  // "José" typed two ways is one name.
  const decomposed = await postOk(base, 'lobby', 'Jose\u0301', 'one');
  const composed = await postOk(base, 'lobby', 'Jos\u00E9', 'two');
  assert.equal(decomposed.user, 'Jos\u00E9');
  assert.equal(composed.user, decomposed.user);
  const socket = await sioConnect(base, 'Jose\u0301');
  await socket.emitWithAck('join', { room: 'lobby' });
  const ack = await socket.emitWithAck('message', { room: 'lobby', text: 'three' });
  assert.equal(ack.message.user, 'Jos\u00E9');
  const renamed = await socket.emitWithAck('rename', { name: 'x\u200Dy' });
  assert.equal(renamed.ok, false);
  socket.close();
});

// ---- 8. exact resumption however much was missed ----

test('SSE with Last-Event-ID resumes exactly, past one page, while messages keep coming', async () => {
  const { base } = await serve(UNLIMITED);
  const room = 'resume';
  for (let i = 1; i <= 300; i++) await postOk(base, room, 'writer', `m${i}`);
  const seen = [];
  let resolve;
  const all = new Promise((r) => { resolve = r; });
  const TOTAL = 340;
  const es = new EventSource(`${base}/api/rooms/${room}/events`, {
    fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, 'Last-Event-ID': '5' } }),
  });
  es.addEventListener('message', (e) => {
    seen.push(Number(e.lastEventId));
    if (seen.length >= TOTAL - 5) resolve();
  });
  await new Promise((r, j) => { es.onopen = r; es.onerror = j; });
  // Live messages race with the replay: the seam must hold neither a gap nor a duplicate.
  for (let i = 301; i <= TOTAL; i++) await postOk(base, room, 'writer', `m${i}`);
  await all;
  es.close();
  assert.deepEqual(seen, Array.from({ length: TOTAL - 5 }, (_, i) => i + 6));
});

test('Socket.IO join {after} says there is more, and history {after} pages forward to the end', async () => {
  const { base } = await serve(UNLIMITED);
  const room = 'resume-sio';
  for (let i = 1; i <= 450; i++) await postOk(base, room, 'writer', `m${i}`);
  const socket = await sioConnect(base, 'reader');
  const live = [];
  socket.on('message', (m) => live.push(m.id));
  const joined = await socket.emitWithAck('join', { room, after: 5 });
  assert.equal(joined.ok, true);
  assert.equal(joined.more, true);
  const ids = joined.messages.map((m) => m.id);
  await postOk(base, room, 'writer', 'live'); // id 451, arrives live while paging
  for (let more = joined.more; more;) {
    const page = await socket.emitWithAck('history', { room, after: ids.at(-1), limit: 200 });
    assert.equal(page.ok, true);
    ids.push(...page.messages.map((m) => m.id));
    more = page.more;
  }
  const merged = [...new Set([...ids, ...live])].sort((a, b) => a - b);
  assert.deepEqual(merged, Array.from({ length: 446 }, (_, i) => i + 6));
  assert.deepEqual(ids.slice(0, 200), Array.from({ length: 200 }, (_, i) => i + 6));
  socket.close();
});

test('long polling pages forward from any id to the end', async () => {
  const { base } = await serve(UNLIMITED);
  for (let i = 1; i <= 250; i++) await postOk(base, 'poll', 'writer', `m${i}`);
  const ids = [];
  let after = 5;
  while (ids.length < 245) {
    const body = await (await fetch(`${base}/api/rooms/poll/poll?after=${after}`)).json();
    ids.push(...body.messages.map((m) => m.id));
    after = body.last_id;
  }
  assert.deepEqual(ids, Array.from({ length: 245 }, (_, i) => i + 6));
});

// ---- 11. rooms cannot be locked out ----

test('reading never creates a room', async () => {
  const { base } = await serve();
  assert.equal((await fetch(`${base}/api/rooms/ghost/events`)).status, 404);
  assert.equal((await fetch(`${base}/api/rooms/ghost/poll?after=0`)).status, 404);
  const history = await (await fetch(`${base}/api/rooms/ghost/messages`)).json();
  assert.deepEqual(history.messages, []);
  assert.deepEqual(await roomNames(base), []);
});

test('creating rooms is limited per client; using existing ones is not', async () => {
  const { base } = await serve(['--room-create-burst', '3', '--room-create-per-minute', '1']);
  for (const room of ['r1', 'r2', 'r3']) await postOk(base, room, 'ada', 'first');
  const refused = await post(base, 'r4', 'ada', 'first');
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const socket = await sioConnect(base, 'bob');
  const join = await socket.emitWithAck('join', { room: 'r5' });
  assert.equal(join.ok, false);
  assert.equal(join.retry, true);
  assert.equal((await socket.emitWithAck('join', { room: 'r1' })).ok, true);
  socket.close();
  await postOk(base, 'r2', 'ada', 'second');
  assert.deepEqual(await roomNames(base), ['r1', 'r2', 'r3']);
});

test('empty rooms nobody uses are removed; used or written ones stay', async () => {
  const { base, wsBase } = await serve(['--room-idle-seconds', '1', ...UNLIMITED]);
  const socket = await sioConnect(base, 'ada');
  assert.equal((await socket.emitWithAck('join', { room: 'empty' })).ok, true);
  assert.equal((await socket.emitWithAck('join', { room: 'occupied' })).ok, true);
  await socket.emitWithAck('leave', { room: 'empty' });
  const ws = new WebSocket(`${wsBase}/ws/chat/watched/?name=bob`);
  await once(ws, 'open');
  await postOk(base, 'written', 'ada', 'kept');
  await eventually(async () => !(await roomNames(base)).includes('empty'), 'the empty room to go');
  assert.deepEqual(await roomNames(base), ['occupied', 'watched', 'written']);
  // A removed room is created again by the next one to use it.
  assert.equal((await socket.emitWithAck('join', { room: 'empty' })).ok, true);
  socket.close();
  ws.close();
});

test('an operator deletes a room with `switchboard rooms delete`, also while serving', async () => {
  const { base, data } = await serve(UNLIMITED);
  await postOk(base, 'spam', 'eve', 'junk 1');
  await postOk(base, 'spam', 'eve', 'junk 2');
  await postOk(base, 'lobby', 'ada', 'hello');
  const out = execFileSync(binary, ['rooms', 'delete', 'spam', '--data', data], { encoding: 'utf8' });
  assert.match(out, /deleted room spam/);
  assert.deepEqual(await roomNames(base), ['lobby']);
  assert.deepEqual((await (await fetch(`${base}/api/rooms/spam/messages`)).json()).messages, []);
  assert.throws(() => execFileSync(binary, ['rooms', 'delete', 'spam', '--data', data], { stdio: 'pipe' }));
  // Posting again starts the room afresh.
  const again = await postOk(base, 'spam', 'ada', 'fresh');
  assert.equal(again.id, 1);
});

// ---- 10. rate limits per name and per address, everywhere ----

test('REST posting is limited per name and answers 429 with Retry-After', async () => {
  // A burst of 20, then one every 5 s: exactly 20 of 30 get through however slow the machine.
  const { base } = await serve(['--name-rate', '0.2']);
  const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(base, 'flood', 'flooder', `m${i}`)));
  const ok = responses.filter((r) => r.status === 201).length;
  assert.equal(ok, 20);
  const refused = responses.find((r) => r.status === 429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After: ${retryAfter}`);
  // Another name from the same address still posts.
  await postOk(base, 'flood', 'someone-else', 'hi');
});

test('reconnecting or changing transport does not refill the bucket of a name', async () => {
  // One token every 10 s: nothing refills while the test reconnects, however slowly.
  const { base, wsBase } = await serve(['--name-rate', '0.1']);
  const first = await sioConnect(base, 'hopper');
  await first.emitWithAck('join', { room: 'hops' });
  const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => first.emitWithAck('message', { room: 'hops', text: `m${i}` })));
  assert.ok(acks.every((a) => a.ok));
  first.close();
  const second = await sioConnect(base, 'hopper');
  await second.emitWithAck('join', { room: 'hops' });
  const refused = await second.emitWithAck('message', { room: 'hops', text: 'again' });
  assert.equal(refused.ok, false);
  assert.equal(refused.retry, true);
  assert.ok(refused.retry_after_ms > 0);
  const renamed = await second.emitWithAck('rename', { name: 'hopper2' });
  assert.equal(renamed.ok, false, 'rename counts too');
  second.close();
  const ws = new WebSocket(`${wsBase}/ws/chat/hops/?name=hopper`);
  await once(ws, 'open');
  ws.send(JSON.stringify({ message: 'over ws' }));
  const [frame] = await once(ws, 'message');
  assert.match(frame.toString(), /rate limited/);
  ws.close();
  assert.equal((await post(base, 'hops', 'hopper', 'over rest')).status, 429);
});

test('one address is limited across names and connections', async () => {
  const { base } = await serve(['--address-burst', '30', '--address-rate', '0.1']);
  const sockets = await Promise.all(Array.from({ length: 5 }, (_, i) => sioConnect(base, `n${i}`)));
  for (const s of sockets) await s.emitWithAck('join', { room: 'shared' });
  const acks = await Promise.all(sockets.flatMap((s) =>
    Array.from({ length: 10 }, (_, i) => s.emitWithAck('message', { room: 'shared', text: `m${i}` }))));
  const ok = acks.filter((a) => a.ok).length;
  assert.equal(ok, 30, `ok=${ok} of 50 (each name under its own limit)`);
  for (const s of sockets) s.close();
});

// ---- 12. storage failures are the server's, not the client's ----

test('a full store answers 503 with Retry-After and a retryable ack; reads keep working', async () => {
  // SQLite's max_page_count makes the database full at 256 KiB: the same SQLITE_FULL a full
  // disk gives, without privileges or a mount.
  const { base, data } = await serve(['--max-db-bytes', String(256 * 1024), ...UNLIMITED]);
  // Long enough that the lobby's one page cannot take another big message.
  const before = `before the disk filled ${'.'.repeat(500)}`;
  await postOk(base, 'lobby', 'ada', before);
  const big = 'x'.repeat(3990);
  let full = null;
  for (let i = 0; i < 200 && !full; i++) {
    const res = await post(base, 'filler', 'bot', `${i} ${big}`);
    if (res.status !== 201) full = res;
  }
  assert.ok(full, 'the store never filled');
  assert.equal(full.status, 503);
  assert.ok(Number(full.headers.get('retry-after')) >= 1);
  assert.match((await full.json()).error, /full/);
  const socket = await sioConnect(base, 'ada');
  assert.equal((await socket.emitWithAck('join', { room: 'lobby' })).ok, true);
  // As big as what did not fit (a small one may still fit in a page's free space).
  const during = `during ${big}`;
  const ack = await socket.emitWithAck('message', { room: 'lobby', text: during });
  assert.equal(ack.ok, false);
  assert.equal(ack.retry, true);
  // Reads still work.
  const history = await (await fetch(`${base}/api/rooms/lobby/messages`)).json();
  assert.deepEqual(history.messages.map((m) => m.text), [before]);
  // An operator frees space: the same message goes through.
  execFileSync(binary, ['rooms', 'delete', 'filler', '--data', data]);
  const retried = await socket.emitWithAck('message', { room: 'lobby', text: during });
  assert.equal(retried.ok, true, JSON.stringify(retried));
  socket.close();
});
