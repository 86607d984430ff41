// `make cluster`'s script (scripts/cluster): Redis, three nodes and nginx round robin without
// stickiness come up on the given ports; a polling-only socket.io-client and curl-like
// requests work through the balancer; SIGTERM (as Ctrl-C) stops every process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { freePort } from './lib/process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');


const accepts = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

test('scripts/cluster serves the chat through nginx round robin and stops everything on SIGTERM', async () => {
  const ports = [];
  for (let i = 0; i < 5; i++) ports.push(await freePort());
  const [port, redisPort, ...nodePorts] = ports;
  const dir = mkdtempSync(join(tmpdir(), 'sb-make-cluster-'));
  const proc = spawn(join(root, 'scripts', 'cluster'), [], {
    env: { ...process.env, CLUSTER_PORT: String(port), REDIS_PORT: String(redisPort),
      NODE_PORTS: nodePorts.join(' '), CLUSTER_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (c) => { err += c; });
  proc.stdout.on('data', (c) => { err += c; });
  const base = `http://127.0.0.1:${port}`;
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no cluster line: ${err}`)), 20000);
      proc.stdout.on('data', () => { if (/cluster: http:\/\/localhost:/.test(err)) { clearTimeout(timer); resolve(); } });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const posted = await fetch(`${base}/api/rooms/lobby/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'curl', text: 'through nginx' }),
    });
    assert.equal(posted.status, 201);
    // Polling only, through round robin: every request may reach another node.
    const socket = io(`${base}/chat`, { auth: { name: 'poller' }, transports: ['polling'], forceNew: true });
    await once(socket, 'connect');
    const joined = await socket.emitWithAck('join', { room: 'lobby' });
    assert.deepEqual(joined.messages.map((m) => m.text), ['through nginx']);
    const echoed = once(socket, 'message');
    assert.equal((await socket.emitWithAck('message', { room: 'lobby', text: 'polling' })).ok, true);
    assert.equal((await echoed)[0].text, 'polling');
    for (let i = 0; i < 6; i++) assert.equal((await socket.emitWithAck('rooms')).ok, true);
    socket.close();
  } finally {
    if (proc.exitCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    }
  }
  for (const p of ports) assert.equal(await accepts(p), false, `port ${p} closed`);
  rmSync(dir, { recursive: true, force: true });
});
