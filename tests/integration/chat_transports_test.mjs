// One room, every transport: a Socket.IO client (official), a plain WebSocket, an SSE stream,
// a long-polling loop and HTTP POSTs. Every message from each sender reaches every receiver
// once, in the same order, with the same id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { startServer } from './lib/process.mjs';
import { recoveringClient, dropAndReconnect, received } from './lib/chat_recovery.mjs';

const binary = process.env.SB_SWITCHBOARD;
const shards = process.env.SB_SHARDS ?? '2';
const PER_SENDER = 10;
const TOTAL = 3 * PER_SENDER;
let server;
let dataDir;
let base;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sb-chat-'));
  server = await startServer(binary, ['serve', '--shards', shards, '--data', dataDir], { argsFirst: true });
  base = `http://127.0.0.1:${server.port}`;
});
after(async () => {
  assert.equal(await server.stop(), 0);
  rmSync(dataDir, { recursive: true, force: true });
});

// Collects messages until `count` distinct ids arrived; resolves to the ids in arrival order.
function collector(count) {
  const ids = [];
  let resolve;
  const done = new Promise((r) => { resolve = r; });
  return {
    ids,
    done,
    add(message) {
      ids.push(message.id);
      if (ids.length === count) resolve(ids);
    },
  };
}

test('a message on any transport reaches all the others once, in one order', async () => {
  const room = 'mix';
  // Receivers first.
  const sio = io(`${base}/chat`, { auth: { name: 'sio' }, transports: ['websocket'] });
  await once(sio, 'connect');
  const joined = await sio.emitWithAck('join', { room });
  assert.equal(joined.ok, true);
  const fromSio = collector(TOTAL);
  sio.on('message', (m) => fromSio.add(m));

  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/chat/${room}/?name=wsuser`);
  await once(ws, 'open');
  const fromWs = collector(TOTAL);
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    assert.ok(m.id, `ws frame without id: ${data}`);
    fromWs.add(m);
  });

  const es = new EventSource(`${base}/api/rooms/${room}/events`);
  await new Promise((resolve, reject) => { es.onopen = resolve; es.onerror = reject; });
  const fromSse = collector(TOTAL);
  es.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    assert.equal(String(m.id), e.lastEventId);
    fromSse.add(m);
  });

  const fromPoll = collector(TOTAL);
  let polling = true;
  const pollLoop = (async () => {
    let last = 0;
    while (polling && fromPoll.ids.length < TOTAL) {
      const res = await fetch(`${base}/api/rooms/${room}/poll?after=${last}`);
      if (res.status === 204) continue;
      assert.equal(res.status, 200);
      const body = await res.json();
      for (const m of body.messages) fromPoll.add(m);
      last = body.last_id;
    }
  })();

  // Senders: Socket.IO, plain WebSocket and HTTP POST, interleaved.
  const acked = [];
  const sends = [];
  for (let i = 0; i < PER_SENDER; i++) {
    sends.push(sio.emitWithAck('message', { room, text: `sio ${i}` }).then((r) => {
      assert.equal(r.ok, true, JSON.stringify(r));
      acked.push(r.message.id);
    }));
    ws.send(JSON.stringify({ message: `ws ${i}` }));
    sends.push(fetch(`${base}/api/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'poster', text: `post ${i}` }),
    }).then(async (res) => {
      assert.equal(res.status, 201);
      acked.push((await res.json()).message.id);
    }));
  }
  await Promise.all(sends);
  const [a, b, c, d] = await Promise.all([fromSio.done, fromWs.done, fromSse.done, fromPoll.done]);
  polling = false;
  await pollLoop;

  const expected = Array.from({ length: TOTAL }, (_, i) => i + 1);
  for (const [name, ids] of [['socket.io', a], ['websocket', b], ['sse', c], ['poll', d]]) {
    assert.deepEqual(ids, expected, `${name} saw ${ids}`);
  }
  assert.equal(new Set(acked).size, 2 * PER_SENDER);

  // The history holds each message once, with the same ids.
  const res = await fetch(`${base}/api/rooms/${room}/messages?limit=200`);
  const { messages } = await res.json();
  assert.deepEqual(messages.map((m) => m.id), expected);
  sio.close();
  ws.close();
  es.close();
});

test('bad input gets a precise answer and nothing is stored', async () => {
  const post = (room, body) => fetch(`${base}/api/rooms/${room}/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
  });
  assert.equal((await post('lobby', '{nope')).status, 400);
  assert.equal((await post('lobby', JSON.stringify({ user: 'x', text: '' }))).status, 400);
  assert.equal((await post('lobby', JSON.stringify({ user: 'x', text: 'y'.repeat(4001) }))).status, 400);
  assert.equal((await post('lobby', JSON.stringify({ user: '\u0007', text: 'y' }))).status, 400);
  assert.equal((await post('Bad%20Room', JSON.stringify({ user: 'x', text: 'y' }))).status, 404);
  const big = await post('lobby', JSON.stringify({ user: 'x', text: 'z'.repeat(70000) }));
  assert.equal(big.status, 413);
  const bad = await (await post('lobby', '{nope')).json().catch(() => null);
  assert.equal(typeof bad?.error, 'string');
  assert.equal((await fetch(`${base}/api/rooms/lobby/poll?after=abc`)).status, 400);
  const sio = io(`${base}/chat`, { auth: { name: '' }, transports: ['websocket'] });
  const [err] = await once(sio, 'connect_error');
  assert.equal(err.message, 'invalid name');
  sio.close();
});

test('a burst over the rate limit gets an error event, not a disconnect', async () => {
  const sio = io(`${base}/chat`, { auth: { name: 'bursty' }, transports: ['websocket'] });
  await once(sio, 'connect');
  await sio.emitWithAck('join', { room: 'burst' });
  const errors = [];
  sio.on('error', (e) => errors.push(e));
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    sio.emitWithAck('message', { room: 'burst', text: `m${i}` })));
  const ok = results.filter((r) => r.ok).length;
  assert.ok(ok >= 20 && ok < 30, `ok=${ok}`);
  assert.ok(errors.length > 0);
  assert.equal(sio.connected, true);
  sio.close();
});

test('one node (SQLite): socket.io-client recovers its id, rooms and missed messages, again and again', async () => {
  const room = 'recover-one';
  const post = async (text) => {
    const res = await fetch(`${base}/api/rooms/${room}/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'poster', text }),
    });
    assert.equal(res.status, 201);
  };
  const socket = await recoveringClient(base, 'rec-one');
  const id = socket.id;
  assert.equal((await socket.emitWithAck('join', { room })).ok, true);
  // Nothing was emitted to it before the first drop (socket.io #5538).
  for (let i = 1; i <= 3; i++) {
    await dropAndReconnect(socket, () => post(`missed ${i}`));
    assert.equal(socket.recovered, true, `recovery ${i}`);
    assert.equal(socket.id, id);
  }
  assert.deepEqual(await received(socket, 3), ['missed 1', 'missed 2', 'missed 3']);
  // Still in the room: it posts without joining again.
  assert.equal((await socket.emitWithAck('message', { room, text: 'back' })).ok, true);
  assert.deepEqual(await received(socket, 4), ['missed 1', 'missed 2', 'missed 3', 'back']);
  socket.close();
});
