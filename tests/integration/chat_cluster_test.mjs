// Two chat nodes (`switchboard serve --redis`, 2 shards each, one history in Redis) on one real
// redis-server: a message posted on node A over each transport (Socket.IO, plain WebSocket,
// REST) reaches the room's subscribers on node B over every transport (Socket.IO, plain
// WebSocket, SSE, long polling) exactly once, and A's own subscribers once too; typing
// notices cross as well; and a message published straight to Redis in the shape the Redis
// history backend publishes (docs/decisions/011-one-fan-out.md) reaches every transport of
// both nodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import notepack from 'notepack.io';
import { createClient } from 'redis';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { startServer } from './lib/process.mjs';
import { freePort } from './lib/process.mjs';
import { startRedis } from './lib/redis.mjs';

const binary = process.env.SB_SWITCHBOARD;
assert.ok(binary, 'set SB_SWITCHBOARD');
const dirs = [];
let redis;
let redisPort;
let nodeA;
let nodeB;

async function startNode(redisPort) {
  const data = mkdtempSync(join(tmpdir(), 'sb-chat-cluster-'));
  dirs.push(data);
  const s = await startServer(binary, ['serve', '--shards', '2', '--data', data,
    '--redis', `redis://127.0.0.1:${redisPort}`], { argsFirst: true, timeoutMs: 30000 });
  return { ...s, base: `http://127.0.0.1:${s.port}` };
}

before(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  nodeA = await startNode(redisPort);
  nodeB = await startNode(redisPort);
});
after(async () => {
  assert.equal(await nodeA?.stop(), 0);
  assert.equal(await nodeB?.stop(), 0);
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function eventually(fn, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

function post(node, room, user, text) {
  return fetch(`${node.base}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, text }),
  });
}

// The room's subscribers of one node on every transport, each collecting message texts.
async function subscribe(node, room, name) {
  const got = { sio: [], ws: [], sse: [], poll: [] };
  const sio = io(`${node.base}/chat`, { auth: { name: `${name}-sio` }, transports: ['websocket'] });
  await once(sio, 'connect');
  assert.equal((await sio.emitWithAck('join', { room })).ok, true);
  sio.on('message', (m) => got.sio.push(m.text));

  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/ws/chat/${room}/?name=${name}-ws`);
  await once(ws, 'open');
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.message !== undefined) got.ws.push(m.message);
  });

  const es = new EventSource(`${node.base}/api/rooms/${room}/events`);
  await new Promise((resolve, reject) => { es.onopen = resolve; es.onerror = reject; });
  es.addEventListener('message', (e) => got.sse.push(JSON.parse(e.data).text));

  let polling = true;
  const controller = new AbortController();
  const loop = (async () => {
    let last = 0;
    while (polling) {
      let res;
      try {
        res = await fetch(`${node.base}/api/rooms/${room}/poll?after=${last}`,
          { signal: controller.signal });
      } catch {
        return;
      }
      if (res.status === 204) continue;
      assert.equal(res.status, 200);
      const body = await res.json();
      for (const m of body.messages) got.poll.push(m.text);
      last = body.last_id;
    }
  })();
  return {
    got,
    sio,
    ws,
    has(text) { return Object.values(got).every((list) => list.includes(text)); },
    async close() {
      polling = false;
      controller.abort();
      await loop;
      sio.close();
      ws.close();
      es.close();
    },
  };
}

test('a message posted on node A over any transport reaches node B on every transport once',
  async () => {
    const room = 'cluster';
    const onB = await subscribe(nodeB, room, 'b');
    const onA = await subscribe(nodeA, room, 'a');
    // Node B's adapter may still be subscribing to Redis: post probes until one crossed.
    let probes = 0;
    await eventually(async () => {
      assert.equal((await post(nodeA, room, 'probe', `probe ${++probes}`)).status, 201);
      await sleep(100);
      return onB.got.sio.some((t) => t.startsWith('probe')) &&
        onB.has(onB.got.sio.find((t) => t.startsWith('probe')));
    });

    // The senders on node A: Socket.IO, plain WebSocket, REST.
    const sender = io(`${nodeA.base}/chat`, { auth: { name: 'sender' }, transports: ['websocket'] });
    await once(sender, 'connect');
    assert.equal((await sender.emitWithAck('join', { room })).ok, true);
    const r = await sender.emitWithAck('message', { room, text: 'from sio' });
    assert.equal(r.ok, true, JSON.stringify(r));
    const ws = new WebSocket(`ws://127.0.0.1:${nodeA.port}/ws/chat/${room}/?name=sender-ws`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ message: 'from ws' }));
    await eventually(() => onA.got.sio.includes('from ws'));
    assert.equal((await post(nodeA, room, 'poster', 'from rest')).status, 201);
    // Last, a sentinel: once it arrived everywhere, anything repeated before it would have too.
    assert.equal((await post(nodeA, room, 'poster', 'sentinel')).status, 201);
    await eventually(() => onB.has('sentinel') && onA.has('sentinel'));

    for (const [node, subs] of [['B', onB], ['A', onA]]) {
      for (const [transport, texts] of Object.entries(subs.got)) {
        const real = texts.filter((t) => !t.startsWith('probe'));
        assert.deepEqual(real, ['from sio', 'from ws', 'from rest', 'sentinel'],
          `node ${node} ${transport} saw ${JSON.stringify(texts)}`);
      }
    }
    // One history (in Redis): node B reads each message once.
    const history = await (await fetch(`${nodeB.base}/api/rooms/${room}/messages`)).json();
    assert.deepEqual(history.messages.map((m) => m.text).filter((t) => !t.startsWith('probe')),
      ['from sio', 'from ws', 'from rest', 'sentinel']);
    sender.close();
    ws.close();
    await onA.close();
    await onB.close();
  });

test('a message posted on node B reaches node A too, and typing notices cross', async () => {
  const room = 'back';
  const onA = await subscribe(nodeA, room, 'a2');
  const typer = io(`${nodeB.base}/chat`, { auth: { name: 'typer' }, transports: ['websocket'] });
  await once(typer, 'connect');
  assert.equal((await typer.emitWithAck('join', { room })).ok, true);
  const typing = [];
  onA.sio.on('typing', (t) => typing.push(t));
  assert.equal((await typer.emitWithAck('message', { room, text: 'from b' })).ok, true);
  await eventually(() => onA.has('from b'));
  await eventually(() => {
    typer.emit('typing', { room, typing: true });
    return typing.some((t) => t.user === 'typer' && t.typing === true);
  });
  for (const texts of Object.values(onA.got)) assert.deepEqual(texts, ['from b']);
  typer.close();
  await onA.close();
});

test('a message published to the room channel in the history backend\'s shape reaches every transport',
  async () => {
    const room = 'fromredis';
    // A Socket.IO join creates the room, then every transport subscribes. The message is not
    // stored (only published): ids 1 and 2 are new to every subscriber.
    const onA = await subscribe(nodeA, room, 'ra');
    const onB = await subscribe(nodeB, room, 'rb');
    const publisher = createClient({ url: `redis://127.0.0.1:${redisPort}` });
    await publisher.connect();
    const message = (id, text) => notepack.encode([
      'history-script',
      { type: 2, data: ['message', { id, room, user: 'lua', user_id: 0, text, ts: Date.now() }],
        nsp: '/chat' },
      { rooms: [room], except: [], flags: {} },
    ]);
    const channel = `socket.io#/chat#${room}#`;
    await publisher.publish(channel, message(1, 'stored once'));
    await publisher.publish(channel, message(2, 'sentinel'));
    // These messages are published only, not stored: a poll that is between two requests
    // when the second comes misses it (a real append is in the history, where the next poll
    // reads it back). So polls must have the first, and at most once each.
    const streaming = (subs, text) => ['sio', 'ws', 'sse'].every((k) => subs.got[k].includes(text));
    await eventually(() => streaming(onA, 'sentinel') && streaming(onB, 'sentinel') &&
      onA.got.poll.includes('stored once') && onB.got.poll.includes('stored once'))
      .catch((e) => { throw new Error(`${e.message}: A ${JSON.stringify(onA.got)} B ${JSON.stringify(onB.got)}`); });
    for (const [node, subs] of [['A', onA], ['B', onB]]) {
      for (const [transport, texts] of Object.entries(subs.got)) {
        const expected = transport === 'poll' ? ['stored once', 'sentinel'].slice(0, texts.length)
          : ['stored once', 'sentinel'];
        assert.deepEqual(texts, expected, `node ${node} ${transport} saw ${JSON.stringify(texts)}`);
      }
    }
    await publisher.quit();
    await onA.close();
    await onB.close();
  });
