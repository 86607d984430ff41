// The echo and broadcast examples against the Node.js `ws` client (npm), with and without
// permessage-deflate, on one and two shards; the broadcast example also as two processes on
// one real redis-server (its connections are room members of the one fan-out, decision 019).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { startServer } from './lib/process.mjs';
import { startRedis } from './lib/redis.mjs';

const echoBinary = process.env.SB_ECHO;
const broadcastBinary = process.env.SB_BROADCAST;
const shards = process.env.SB_SHARDS ?? '2';

async function open(url, options = {}) {
  const ws = new WebSocket(url, options);
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws) {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
}

let echo;
let broadcast;
before(async () => {
  echo = await startServer(echoBinary, ['--shards', shards]);
  broadcast = await startServer(broadcastBinary, ['--shards', shards]);
});
after(async () => {
  assert.equal(await echo.stop(), 0);
  assert.equal(await broadcast.stop(), 0);
});

for (const perMessageDeflate of [false, true]) {
  test(`echo returns text and binary unchanged (deflate: ${perMessageDeflate})`, async () => {
    const ws = await open(`ws://127.0.0.1:${echo.port}/echo`, { perMessageDeflate });
    assert.equal(ws.extensions.includes('permessage-deflate'), perMessageDeflate);
    const text = 'héllo wörld '.repeat(1000);
    ws.send(text);
    let m = await nextMessage(ws);
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString(), text);
    const bin = Buffer.from([0, 1, 2, 255, 254]);
    ws.send(bin);
    m = await nextMessage(ws);
    assert.equal(m.isBinary, true);
    assert.deepEqual(Buffer.from(m.data), bin);
    ws.close(1000);
    const [code] = await once(ws, 'close');
    assert.equal(code, 1000);
  });
}

test('echo answers many messages in flight in order', async () => {
  const ws = await open(`ws://127.0.0.1:${echo.port}/echo`);
  const got = [];
  const done = new Promise((resolve) => ws.on('message', (d) => {
    got.push(d.toString());
    if (got.length === 1000) resolve();
  }));
  for (let i = 0; i < 1000; i++) ws.send(`m${i}`);
  await done;
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => `m${i}`));
  ws.close();
});

test('broadcast reaches every other client once, never the author', async () => {
  const clients = [];
  for (let i = 0; i < 6; i++) {
    clients.push(await open(`ws://127.0.0.1:${broadcast.port}/`, { perMessageDeflate: i % 2 === 0 }));
  }
  const received = clients.map(() => []);
  clients.forEach((ws, i) => ws.on('message', (d) => received[i].push(d.toString())));
  // Every client sends one message; each then expects the other five.
  const everyoneHasFive = Promise.all(clients.map((ws, i) => new Promise((resolve) => {
    const check = () => { if (received[i].length === 5) resolve(); };
    ws.on('message', check);
  })));
  clients.forEach((ws, i) => ws.send(`from ${i}`));
  await everyoneHasFive;
  received.forEach((msgs, i) => {
    assert.deepEqual(msgs.slice().sort(),
      clients.map((_, j) => `from ${j}`).filter((m) => m !== `from ${i}`).sort());
  });
  // And nothing more arrives: a marker message from client 0 comes next on client 1.
  const marker = nextMessage(clients[1]);
  clients[0].send('marker');
  assert.equal((await marker).data.toString(), 'marker');
  clients.forEach((ws) => ws.close());
});

test('two broadcast processes on one Redis are one chat: text and binary, never the author', async () => {
  // With a password: the processes' URL carries it (and a database, which Pub/Sub ignores).
  const redis = await startRedis(undefined, ['--requirepass', 'p@ss']);
  const url = `redis://:p%40ss@127.0.0.1:${redis.port}/3`;
  const nodes = [];
  const clients = [];
  try {
    for (let i = 0; i < 2; i++) nodes.push(await startServer(broadcastBinary, ['--shards', shards, '--redis', url]));
    // Two clients on each process.
    for (let i = 0; i < 4; i++) {
      clients.push(await open(`ws://127.0.0.1:${nodes[i % 2].port}/`, { perMessageDeflate: i < 2 }));
    }
    const received = clients.map(() => []);
    const everyoneHasThree = Promise.all(clients.map((ws, i) => new Promise((resolve) => {
      ws.on('message', (data, isBinary) => {
        received[i].push(isBinary ? `bin:${Buffer.from(data).toString('hex')}` : data.toString());
        if (received[i].length === 3) resolve();
      });
    })));
    clients[0].send('text from 0');
    clients[1].send(Buffer.from([1, 0, 255]));
    clients[2].send('text from 2');
    clients[3].send(Buffer.from([3, 0, 254]));
    await everyoneHasThree;
    const sent = ['text from 0', 'bin:0100ff', 'text from 2', 'bin:0300fe'];
    received.forEach((msgs, i) => {
      assert.deepEqual(msgs.slice().sort(), sent.filter((_, j) => j !== i).sort(), `client ${i}`);
    });
    // Nothing more: a marker from client 1 (process 1) comes next on client 0 (process 0).
    const marker = nextMessage(clients[0]);
    clients[1].send('marker');
    assert.equal((await marker).data.toString(), 'marker');
  } finally {
    clients.forEach((ws) => ws.close());
    for (const n of nodes) assert.equal(await n.stop(), 0);
    await redis.stop();
  }
});

test('a plain GET of / serves the page', async () => {
  const res = await fetch(`http://127.0.0.1:${broadcast.port}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.match(await res.text(), /new WebSocket/);
});

test('server shutdown closes clients with 1001', async () => {
  const server = await startServer(echoBinary, ['--shards', shards]);
  const ws = await open(`ws://127.0.0.1:${server.port}/echo`);
  const closed = once(ws, 'close');
  assert.equal(await server.stop(), 0);
  const [code] = await closed;
  assert.equal(code, 1001);
});
