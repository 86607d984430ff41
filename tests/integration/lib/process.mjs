// Starts a server executable with --port 0 and waits for its "listening on" line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 now (for a server that cannot take --port 0). */
export async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

export async function startServer(binary, args = [], { timeoutMs = 10000, argsFirst = false, fixedPort = 0 } = {}) {
  const portArgs = ['--port', String(fixedPort)];
  const argv = argsFirst ? [...args, ...portArgs] : [...portArgs, ...args];
  const proc = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), timeoutMs);
    proc.stdout.on('data', (chunk) => {
      output += chunk;
      const m = output.match(/listening on \S+:\/\/[^\s:]+:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${output}`)); });
  });
  return {
    port,
    proc,
    /** SIGTERM, resolving to the exit code (rejects if it takes over timeoutMs). */
    async stop(timeoutMs = 5000) {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
