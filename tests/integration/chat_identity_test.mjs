// Stable identities (issue 13, point 1): registration gives an id and a secret token; messages
// carry the author's id; presence, typing and renames go by id; HTTP and the raw WebSocket
// post as the token's user, or as a guest (user_id 0) without one. Real binary, official
// clients (socket.io-client, ws) and fetch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { startServer } from './lib/process.mjs';

const binary = process.env.SB_SWITCHBOARD;
const shards = process.env.SB_SHARDS ?? '2';

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function serve(data = mkdtempSync(join(tmpdir(), 'sb-id-')), extra = []) {
  const server = await startServer(binary, ['serve', '--shards', shards, '--data', data, ...extra], { argsFirst: true });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    assert.equal(await server.stop(), 0);
  };
  cleanups.push(async () => {
    await stop();
    rmSync(data, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${server.port}`, wsBase: `ws://127.0.0.1:${server.port}`, data, stop };
}

async function register(base, name) {
  const res = await fetch(`${base}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.equal(res.status, 201);
  return res.json();
}

function post(base, room, body, headers = {}) {
  return fetch(`${base}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function connect(base, auth) {
  const socket = io(`${base}/chat`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  const error = await Promise.race([
    once(socket, 'connect').then(() => null),
    once(socket, 'connect_error').then(([e]) => e),
  ]);
  if (error) {
    socket.close();
    throw error;
  }
  return socket;
}

function next(socket, event, pred = () => true) {
  return new Promise((resolve) => {
    const on = (v) => {
      if (!pred(v)) return;
      socket.off(event, on);
      resolve(v);
    };
    socket.on(event, on);
  });
}

test('registration gives an id and a 256-bit token; two people named Sam are two users', async () => {
  const { base } = await serve();
  const a = await register(base, ' Sam ');
  const b = await register(base, 'Sam');
  assert.equal(a.name, 'Sam');
  assert.match(a.token, /^[0-9a-f]{64}$/);
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.token, b.token);

  const sa = await connect(base, { token: a.token });
  const sb = await connect(base, { token: b.token });
  assert.equal((await sa.emitWithAck('join', { room: 'lobby' })).ok, true);
  const joined = await sb.emitWithAck('join', { room: 'lobby' });
  // Presence counts people, not names.
  assert.deepEqual(joined.online.map((p) => p.id).sort(), [a.id, b.id].sort());
  assert.ok(joined.online.every((p) => p.name === 'Sam' && p.guest === false));
  // the per-person limit, for the client to pace its sends
  assert.deepEqual(joined.rate, { burst: 20, per_second: 5 });

  const seen = next(sb, 'message');
  const ack = await sa.emitWithAck('message', { room: 'lobby', text: 'from the first Sam' });
  assert.equal(ack.message.user_id, a.id);
  assert.equal((await seen).user_id, a.id);
  const typing = next(sa, 'typing');
  sb.emit('typing', { room: 'lobby', typing: true });
  assert.equal((await typing).user_id, b.id);
  sa.close();
  sb.close();
});

test('a bad or unknown token is refused on every transport', async () => {
  const { base, wsBase } = await serve();
  await assert.rejects(connect(base, { token: 'f'.repeat(64) }), /invalid token/);
  await assert.rejects(connect(base, { token: 'not hex' }), /invalid token/);
  const res = await post(base, 'lobby', { text: 'hi' }, { Authorization: `Bearer ${'0'.repeat(64)}` });
  assert.equal(res.status, 401);
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(`${wsBase}/ws/chat/lobby/?token=${'1'.repeat(64)}`);
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (req, r) => {
      resolve(r.statusCode);
      req.destroy();
    });
    ws.on('error', () => {});
  });
  assert.equal(status, 401);
});

test('HTTP and the raw WebSocket post as the token user, or as a guest without one', async () => {
  const { base, wsBase } = await serve();
  const ada = await register(base, 'Ada');
  const watcher = await connect(base, { token: ada.token });
  assert.equal((await watcher.emitWithAck('join', { room: 'lobby' })).ok, true);

  let res = await post(base, 'lobby', { user: 'Mallory', text: 'by token' }, { Authorization: `Bearer ${ada.token}` });
  assert.equal(res.status, 201);
  let m = (await res.json()).message;
  assert.equal(m.user_id, ada.id);
  assert.equal(m.user, 'Ada');
  // HTTP without one: a guest, even under a registered person's name.
  res = await post(base, 'lobby', { user: 'Ada', text: 'as a guest' });
  m = (await res.json()).message;
  assert.equal(m.user_id, 0);
  assert.equal(m.user, 'Ada');

  // The raw WebSocket: ?token= and Authorization: Bearer; ?name= alone is a guest.
  for (const [url, options, id] of [
    [`${wsBase}/ws/chat/lobby/?token=${ada.token}`, {}, ada.id],
    [`${wsBase}/ws/chat/lobby/`, { headers: { Authorization: `Bearer ${ada.token}` } }, ada.id],
    [`${wsBase}/ws/chat/lobby/?name=Ada`, {}, 0],
  ]) {
    const ws = new WebSocket(url, options);
    await once(ws, 'open');
    const echoed = new Promise((resolve) => ws.on('message', (d) => resolve(JSON.parse(d.toString()))));
    const live = next(watcher, 'message', (x) => x.text === `ws ${id} ${url.length}`);
    ws.send(JSON.stringify({ message: `ws ${id} ${url.length}` }));
    assert.equal((await echoed).user_id, id);
    assert.equal((await live).user_id, id);
    ws.close();
  }
  watcher.close();
});

test('a rename keeps the id, reaches the room, is stored, and survives a restart', async () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-id-'));
  let server = await serve(data);
  const ada = await register(server.base, 'Ada');
  const bob = await register(server.base, 'Bob');
  const sa = await connect(server.base, { token: ada.token });
  const sb = await connect(server.base, { token: bob.token });
  await sa.emitWithAck('join', { room: 'lobby' });
  await sb.emitWithAck('join', { room: 'lobby' });
  await sa.emitWithAck('message', { room: 'lobby', text: 'before' });
  const heard = next(sb, 'rename');
  const presence = next(sb, 'presence', (p) => p.online.some((x) => x.name === 'Ada L.'));
  const ack = await sa.emitWithAck('rename', { name: 'Ada L.' });
  assert.deepEqual([ack.ok, ack.id, ack.name], [true, ada.id, 'Ada L.']);
  assert.deepEqual(await heard, { room: 'lobby', id: ada.id, old: 'Ada', new: 'Ada L.' });
  assert.deepEqual((await presence).online.find((x) => x.id === ada.id).name, 'Ada L.');
  const after = await sa.emitWithAck('message', { room: 'lobby', text: 'after' });
  assert.deepEqual([after.message.user, after.message.user_id], ['Ada L.', ada.id]);
  sa.close();
  sb.close();

  await server.stop();
  server = await serve(data);
  const again = await connect(server.base, { token: ada.token });
  const joined = await again.emitWithAck('join', { room: 'lobby' });
  assert.deepEqual(joined.online, [{ id: ada.id, name: 'Ada L.', guest: false }]);
  assert.deepEqual(joined.messages.map((x) => [x.text, x.user_id]), [['before', ada.id], ['after', ada.id]]);
  again.close();
});

test('the per-person rate limit counts a user id, not a name', async () => {
  // A slow refill (one message per 100 s), so that a slow build cannot earn tokens back while
  // it posts.
  const { base } = await serve(undefined, ['--name-rate', '0.01']);
  const a = await register(base, 'Sam');
  const b = await register(base, 'Sam');
  // The first Sam spends the whole burst (20); the second Sam is not affected.
  let limited = null;
  for (let i = 0; i < 25 && !limited; i++) {
    const res = await post(base, 'lobby', { text: `a${i}` }, { Authorization: `Bearer ${a.token}` });
    if (res.status === 429) limited = i;
  }
  assert.ok(limited >= 19 && limited <= 21, `limited at ${limited}`);
  const res = await post(base, 'lobby', { text: 'b' }, { Authorization: `Bearer ${b.token}` });
  assert.equal(res.status, 201);
});

test('room creation and removal are pushed to every Socket.IO client', async () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-id-'));
  const server = await startServer(binary, ['serve', '--shards', shards, '--data', data, '--room-idle-seconds', '1'], { argsFirst: true });
  cleanups.push(async () => {
    assert.equal(await server.stop(), 0);
    rmSync(data, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${server.port}`;
  const ada = await register(base, 'Ada');
  const watcher = await connect(base, { token: ada.token });
  const created = next(watcher, 'room', (r) => r.name === 'pushed' && r.exists === true);
  const removed = next(watcher, 'room', (r) => r.name === 'pushed' && r.exists === false);
  // Another client creates the room (joining it), then leaves: empty and idle, it is removed.
  const other = await connect(base, { token: ada.token });
  assert.equal((await other.emitWithAck('join', { room: 'pushed' })).ok, true);
  assert.deepEqual(await created, { name: 'pushed', exists: true });
  await other.emitWithAck('leave', { room: 'pushed' });
  other.close();
  assert.deepEqual(await removed, { name: 'pushed', exists: false });
  watcher.close();
});
