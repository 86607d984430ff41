// Helpers for tests with the official socket.io-client: transport modes, awaiting events,
// and free ports.
import { once } from "node:events";
import { createServer } from "node:net";
import { io } from "socket.io-client";

/// The transport modes under test: SB_TRANSPORTS="websocket,polling,upgrade" (the default).
export const MODES = (process.env.SB_TRANSPORTS || "websocket,polling,upgrade").split(",");
export const SHARDS = process.env.SB_SHARDS || "1";

/// Client options for a mode: WebSocket only, polling only, or polling upgraded to WebSocket.
export function transportOptions(mode) {
  if (mode === "websocket") return { transports: ["websocket"] };
  if (mode === "polling") return { transports: ["polling"] };
  if (mode === "upgrade") return { transports: ["polling", "websocket"], upgrade: true };
  throw new Error(`unknown transport mode ${mode}`);
}

/// A client socket on its own connection (forceNew), not yet connected unless `connect`.
export function client(url, mode, options = {}) {
  return io(url, { forceNew: true, reconnection: false, ...transportOptions(mode), ...options });
}

/// Resolves with the arguments of the next `event` on `emitter`; rejects after `ms`.
export function next(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, on);
  });
}

/// Connects `socket` and resolves once it is connected (and, in "upgrade" mode, upgraded).
export async function connected(socket, mode, ms = 5000) {
  if (!socket.connected) {
    await new Promise((resolve, reject) => {
      const done = (error) => {
        clearTimeout(timer);
        socket.off("connect", ok).off("connect_error", done);
        error ? reject(error) : resolve();
      };
      const ok = () => done();
      const timer = setTimeout(() => done(new Error(`not connected within ${ms} ms`)), ms);
      socket.on("connect", ok).on("connect_error", done);
    });
  }
  if (mode === "upgrade" && socket.io.engine.transport.name !== "websocket") {
    await next(socket.io.engine, "upgrade", ms);
  }
  return socket;
}

/// Records every incoming event of `socket` as [name, ...args].
export function record(socket) {
  const seen = [];
  socket.onAny((...args) => seen.push(args));
  return seen;
}

/// Resolves once `socket` got `event`, with its arguments (checks what was already recorded).
export function received(seen, socket, event, ms = 5000) {
  const found = seen.find(([name]) => name === event);
  return found ? Promise.resolve(found.slice(1)) : next(socket, event, ms);
}

/// A TCP port that was free a moment ago.
export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}
