// A real redis-server for a test: 127.0.0.1 only, no snapshots, killed by PID.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process.mjs';

/**
 * Starts redis-server on `port` (a free one when not given) with `args` after the defaults
 * (`--appendonly no`, which a later `--appendonly yes` overrides), and resolves once it accepts
 * connections (5 s at most). stop() and kill() are the same: SIGKILL, a crash, then the reap.
 */
export async function startRedis(port, args = []) {
  port ??= await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', ...args], { stdio: 'ignore' });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  };
  for (let i = 0; i < 500; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return { port, url: `redis://127.0.0.1:${port}`, proc, stop, kill: stop };
    await sleep(10);
  }
  await stop();
  throw new Error('redis-server did not start');
}
