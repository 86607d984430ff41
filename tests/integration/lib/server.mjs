// Starts an example executable on port 0 and waits for its "listening on <url>" line.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/// Resolves to { url, proc, stop() } once the server listens; rejects if it exits first or
/// says nothing for `timeoutMs`.
export async function startServer(binary, args = [], { timeoutMs = 10000 } = {}) {
  const proc = spawn(binary, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(proc, "exit");
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${binary} printed no listening line`));
    }, timeoutMs);
    lines.on("line", (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(([code]) => reject(new Error(`${binary} exited with ${code} before listening`)));
  });
  /// Sends SIGTERM (SIGKILL after 10 s) and resolves to { code, signal, ms } once the
  /// process has exited.
  async function stop() {
    if (proc.exitCode !== null) return { code: proc.exitCode, signal: null, ms: 0 };
    const start = Date.now();
    proc.kill("SIGTERM");
    const killer = setTimeout(() => proc.kill("SIGKILL"), 10000);
    const [code, signal] = await exited;
    clearTimeout(killer);
    return { code, signal, ms: Date.now() - start };
  }
  return { url, proc, stop };
}

/// Calls probe() until it returns a truthy value (a condition the server can only be asked
/// about, such as a count); fails after `ms`.
export async function until(probe, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
