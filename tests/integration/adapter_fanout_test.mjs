// The library's one fan-out across processes: two cluster_fanout nodes (2 shards each) on one
// real redis-server. A room's raw WebSockets, SSE streams, held long polls and Socket.IO
// sockets are members of one room; a broadcast made on one node (HTTP POST, or a frame of a
// raw WebSocket) reaches every member on both nodes exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { startServer } from './lib/process.mjs';
import { freePort } from './lib/process.mjs';
import { startRedis } from './lib/redis.mjs';

const binary = process.env.SB_CLUSTER_FANOUT;
assert.ok(binary, 'set SB_CLUSTER_FANOUT');
let redis;
let nodeA;
let nodeB;

async function startNode(redisPort) {
  const s = await startServer(binary, ['--redis', `redis://127.0.0.1:${redisPort}`, '--shards', '2'],
    { timeoutMs: 30000 });
  return { ...s, base: `http://127.0.0.1:${s.port}` };
}

before(async () => {
  const redisPort = await freePort();
  redis = await startRedis(redisPort);
  nodeA = await startNode(redisPort);
  nodeB = await startNode(redisPort);
});
after(async () => {
  assert.equal(await nodeA?.stop(), 0);
  assert.equal(await nodeB?.stop(), 0);
  await redis?.stop();
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

const publish = (node, room, text) =>
  fetch(`${node.base}/publish/${room}`, { method: 'POST', body: text });

// One member of each kind on `node`, collecting what each receives.
async function members(node, room) {
  const got = { sio: [], ws: [], sse: [], poll: [] };
  const sio = io(node.base, { transports: ['websocket'] });
  await once(sio, 'connect');
  assert.equal(await sio.timeout(5000).emitWithAck('join', room), true);
  sio.on('message', (text) => got.sio.push(text));

  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/ws/${room}`);
  await once(ws, 'open');
  ws.on('message', (data) => got.ws.push(data.toString()));

  const es = new EventSource(`${node.base}/events/${room}`);
  await new Promise((resolve, reject) => { es.onopen = resolve; es.onerror = reject; });
  es.addEventListener('message', (e) => got.sse.push(e.data));

  // A poll is a member only while held: the next one is sent as soon as one is answered, and
  // the test waits for it to be held (polls joined) before publishing anything that counts.
  let polling = true;
  const controller = new AbortController();
  const loop = (async () => {
    while (polling) {
      let res;
      try {
        res = await fetch(`${node.base}/poll/${room}`, { signal: controller.signal });
      } catch {
        return;
      }
      if (res.status === 204) continue;
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.event, 'message');
      got.poll.push(body.data);
    }
  })();
  return {
    got,
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

test('a broadcast to a room reaches its WebSocket, SSE, poll and Socket.IO members on both nodes once',
  async () => {
    const room = 'news';
    const onA = await members(nodeA, room);
    const onB = await members(nodeB, room);
    // Until node B's adapter is subscribed, probes published on A do not reach it.
    let n = 0;
    await eventually(async () => {
      await publish(nodeA, room, `probe ${++n}`);
      await sleep(100);
      return onB.got.sse.some((t) => t.startsWith('probe'));
    });
    // The last probe has been delivered everywhere (an SSE stream misses nothing).
    await eventually(() => onA.got.sse.includes(`probe ${n}`) && onB.got.sse.includes(`probe ${n}`));
    // This example's poll has no backlog: it misses what is published while it is not held.
    // Each message is published once both nodes hold their poll again, and has reached
    // every member on both nodes before the next.
    const held = async (node) => Number(await (await fetch(`${node.base}/held`)).text());
    const send = async (fn, text) => {
      await eventually(async () => (await held(nodeA)) === 1 && (await held(nodeB)) === 1);
      await fn(text);
      await eventually(() => onA.has(text) && onB.has(text));
    };
    await send(async (t) => assert.equal((await publish(nodeA, room, t)).status, 204),
      'from A by POST');
    await send((t) => onB.ws.send(t), 'from B by WebSocket');
    await send(async (t) => assert.equal((await publish(nodeB, room, t)).status, 204), 'sentinel');

    for (const [node, subs] of [['A', onA], ['B', onB]]) {
      for (const [kind, texts] of Object.entries(subs.got)) {
        const real = texts.filter((t) => !t.startsWith('probe'));
        assert.deepEqual(real, ['from A by POST', 'from B by WebSocket', 'sentinel'],
          `node ${node} ${kind} saw ${JSON.stringify(texts)}`);
      }
    }
    await onA.close();
    await onB.close();
  });
