// Connection state recovery as a chat client lives it: a socket.io-client whose connection
// drops (a network loss, a node going away) and that comes back, to the same node or another.
import { once } from 'node:events';
import { io } from 'socket.io-client';

/** A /chat client on `base` that waits 300 ms before reconnecting (time to post while it is
 * away); `got` collects the texts of the "message" events it receives. */
export async function recoveringClient(base, name, opts = {}) {
  const socket = io(`${base}/chat`, {
    auth: { name }, forceNew: true, reconnectionDelay: 300, reconnectionDelayMax: 300,
    randomizationFactor: 0, ...opts,
  });
  await once(socket, 'connect');
  socket.got = [];
  socket.on('message', (m) => socket.got.push(m.text));
  return socket;
}

/** Drops the client's connection as a network loss would, runs `whileAway` (the client will
 * reconnect to `to`, a base URL, when given), and resolves once it is connected again. */
export async function dropAndReconnect(socket, whileAway, to) {
  const dropped = once(socket, 'disconnect');
  socket.io.engine.close();
  await dropped;
  if (to) socket.io.uri = `${to}/chat`;
  const back = once(socket, 'connect');
  await whileAway();
  await back;
}

/** Resolves when `socket.got` holds `count` texts (5 s at most). */
export async function received(socket, count) {
  for (let i = 0; i < 500 && socket.got.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return socket.got;
}
