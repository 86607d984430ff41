// The chat's log, as an operator reads it: with --log-format json every stderr line is one
// JSON record; HTTP requests leave an access record (no query string), and every connection
// the server closes leaves its reason (a WebSocket failed with 1002, a Socket.IO disconnect,
// a request over the body limit). --log-level warn keeps the info records out, and
// --access-log off the access records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const binary = process.env.SB_SWITCHBOARD;

// Starts the chat with `args`; `records` fills with the parsed stderr lines as they come
// (stderr is always drained), `lines` keeps them raw.
async function startChat(args) {
  const data = mkdtempSync(join(tmpdir(), 'sb-chat-log-'));
  const proc = spawn(binary, ['serve', '--port', '0', '--shards', '2', '--data', data,
    '--web', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chat = { proc, records: [], lines: [], waiters: [] };
  let pending = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      chat.lines.push(line);
      let record;
      try { record = JSON.parse(line); } catch { record = { unparsed: line }; }
      chat.records.push(record);
      for (const w of [...chat.waiters]) {
        if (w.match(record)) { chat.waiters.splice(chat.waiters.indexOf(w), 1); w.resolve(record); }
      }
    }
  });
  let out = '';
  proc.stdout.setEncoding('utf8');
  chat.port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10000);
    proc.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/listening on \S+:\/\/[^\s:]+:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
  });
  chat.base = `http://127.0.0.1:${chat.port}`;
  // The first record that matches, already written or still to come.
  chat.waitFor = (match, what, ms = 5000) => {
    const found = chat.records.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record: ${what}\n${chat.lines.join('\n')}`)), ms);
      chat.waiters.push({ match, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
  };
  // SIGTERM; resolves once the process exited and its stderr is read to the end.
  chat.stop = async () => {
    const closed = once(proc.stderr, 'close');
    if (proc.exitCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    }
    await closed;
    rmSync(data, { recursive: true, force: true });
    return proc.exitCode;
  };
  return chat;
}

// A WebSocket to the chat that sends an unmasked frame (a client must mask: RFC 6455 §5.1);
// resolves to the close code it gets.
async function sendBadFrame(chat) {
  const ws = new WebSocket(`ws://127.0.0.1:${chat.port}/ws/chat/logroom/?name=badframe`);
  await once(ws, 'open');
  const closed = once(ws, 'close');
  ws._socket.write(Buffer.from([0x81, 0x01, 0x41]));
  const [code] = await closed;
  return code;
}

// A request whose body is over the route's limit (64 KiB); resolves to the status line.
async function oversized(chat) {
  const socket = net.connect(chat.port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (c) => { answer += c; });
  socket.write('POST /api/rooms/logroom/messages HTTP/1.1\r\nHost: x\r\n' +
    'Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n');
  await once(socket, 'end');
  socket.destroy();
  return answer.split('\r\n')[0];
}

test('json records: the access log, and why the server closed each connection', async () => {
  const chat = await startChat(['--log-format', 'json']);
  try {
    // A REST request: one access record, its query left out.
    const res = await fetch(`${chat.base}/api/rooms?token=hunter2`, { headers: { 'User-Agent': 'logtest/1' } });
    assert.equal(res.status, 200);
    const body = await res.text();
    const access = await chat.waitFor((r) => r.msg === 'http access' && r.user_agent === 'logtest/1',
      'the access record');
    assert.equal(access.level, 'info');
    assert.equal(access.method, 'GET');
    assert.equal(access.path, '/api/rooms');
    assert.equal(access.status, 200);
    assert.ok(access.bytes > Buffer.byteLength(body), `bytes ${access.bytes}`);
    assert.equal(typeof access.duration_ms, 'number');
    assert.equal(access.remote, '127.0.0.1');
    assert.match(access.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // A WebSocket that breaks the protocol: failed with 1002, and the record says so.
    assert.equal(await sendBadFrame(chat), 1002);
    const wsClose = await chat.waitFor((r) => r.msg === 'websocket closed' && r.code === 1002,
      'the WebSocket close');
    assert.equal(wsClose.level, 'info');
    assert.equal(wsClose.by, 'server');
    assert.equal(wsClose.path, '/ws/chat/logroom/');
    assert.equal(wsClose.remote, '127.0.0.1');
    assert.equal(typeof wsClose.reason, 'string');
    assert.equal(typeof wsClose.shard, 'number');
    // Its upgrade was logged too, once, as a 101.
    await chat.waitFor((r) => r.msg === 'http access' && r.path === '/ws/chat/logroom/' && r.status === 101,
      'the upgrade');

    // A Socket.IO client that leaves: its disconnect with the DisconnectReason's words.
    const sio = io(`${chat.base}/chat`, { auth: { name: 'logger' }, transports: ['websocket'] });
    await once(sio, 'connect');
    const sid = sio.id;
    sio.disconnect();
    const left = await chat.waitFor((r) => r.msg === 'socket.io disconnected' && r.sid === sid,
      'the Socket.IO disconnect');
    assert.equal(left.level, 'info');
    assert.equal(left.nsp, '/chat');
    assert.equal(left.reason, 'client namespace disconnect');
    assert.equal(left.transport, 'websocket');
    assert.equal(left.remote, '127.0.0.1');

    // An Engine.IO session whose client breaks the Socket.IO protocol: its end and why.
    const raw = new WebSocket(`ws://127.0.0.1:${chat.port}/socket.io/?EIO=4&transport=websocket`);
    const [open] = await once(raw, 'message');
    const engineSid = JSON.parse(open.toString().slice(1)).sid;
    raw.send('4not a packet');
    const ended = await chat.waitFor((r) => r.msg === 'engine.io session closed' && r.sid === engineSid,
      'the Engine.IO session end');
    assert.equal(ended.level, 'info');
    assert.equal(ended.reason, 'parse error');
    assert.equal(ended.transport, 'websocket');
    raw.close();

    // A body over the limit: 413, and the reason.
    assert.match(await oversized(chat), /^HTTP\/1\.1 413 /);
    const refused = await chat.waitFor((r) => r.msg === 'http connection closed' && r.status === 413,
      'the 413');
    assert.equal(refused.level, 'info');
    assert.equal(refused.remote, '127.0.0.1');
    assert.equal(typeof refused.reason, 'string');
  } finally {
    assert.equal(await chat.stop(), 0);
  }
  // Every line one JSON record with ts, level and msg; nothing of the query string.
  for (const [i, r] of chat.records.entries()) {
    assert.ok(!r.unparsed, `line ${i} is not JSON: ${r.unparsed}`);
    assert.equal(typeof r.ts, 'string');
    assert.ok(['trace', 'debug', 'info', 'warn', 'error'].includes(r.level), r.level);
    assert.equal(typeof r.msg, 'string');
  }
  assert.ok(!chat.lines.some((l) => l.includes('hunter2')), 'the query string stays out of the log');
  // Debug records stay out at the default level (info).
  assert.ok(!chat.records.some((r) => r.level === 'debug'));
});

test('--log-level warn keeps the info records out', async () => {
  const chat = await startChat(['--log-format', 'json', '--log-level', 'warn']);
  try {
    assert.equal((await fetch(`${chat.base}/api/rooms`)).status, 200);
    assert.equal(await sendBadFrame(chat), 1002);
    assert.match(await oversized(chat), /^HTTP\/1\.1 413 /);
  } finally {
    assert.equal(await chat.stop(), 0);
  }
  assert.ok(chat.records.length > 0, 'the warning about the missing web UI');
  for (const r of chat.records) assert.ok(['warn', 'error'].includes(r.level), JSON.stringify(r));
});

test('--access-log off keeps the access records out, not the close reasons; text by default', async () => {
  const chat = await startChat(['--access-log', 'off']);
  try {
    assert.equal((await fetch(`${chat.base}/api/rooms`)).status, 200);
    assert.match(await oversized(chat), /^HTTP\/1\.1 413 /);
    const line = await chat.waitFor((r) => / INFO  http connection closed .*status=413/.test(r.unparsed ?? ''),
      'the 413 as a text line');
    assert.match(line.unparsed, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  http connection closed reason=.* remote=127\.0\.0\.1 /);
  } finally {
    assert.equal(await chat.stop(), 0);
  }
  assert.ok(!chat.lines.some((l) => l.includes('http access')), chat.lines.join('\n'));
});
