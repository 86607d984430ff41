// The Node.js reference Socket.IO server (npm `socket.io`) with protocol_testee's behaviour,
// for testing clients against the reference: on "/" and "/custom" the handshake's auth is
// emitted back as "auth", "message" comes back as "message-back", "message-with-ack" is
// acknowledged with its arguments, "ask" [...args] makes the server emit "question" with an
// ack and answer with the reply, "disconnect-me" leaves the namespace, and "drop-me" closes
// the transport abruptly after which the namespace broadcasts "missed" ["while-away"].
//
//   node reference_server.mjs --port 0 [--recovery 1] [--max-payload BYTES]
// prints "listening on http://127.0.0.1:PORT". With --recovery 1, connection state recovery
// is on (CONNECT answers carry a pid, events an offset).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option('port', '0'));
const recovery = option('recovery', '0') === '1';
const maxPayload = Number(option('max-payload', '1000000'));
const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: maxPayload,
  connectTimeout: 1000,
  cors: { origin: '*', credentials: true },
  ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 60000 } } : {}),
});

function setup(nsp) {
  nsp.on('connection', (socket) => {
    socket.emit('auth', socket.handshake.auth);
    socket.on('message', (...args) => socket.emit('message-back', ...args));
    socket.on('message-with-ack', (...args) => {
      const ack = args.pop();
      ack(...args);
    });
    socket.on('ask', async (...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : () => {};
      try {
        const reply = await socket.timeout(2000).emitWithAck('question', ...args);
        ack(reply);
      } catch (e) {
        ack({ error: String(e.message) });
      }
    });
    socket.on('disconnect-me', () => socket.disconnect());
    socket.on('drop-me', () => {
      socket.on('disconnect', () => setImmediate(() => nsp.emit('missed', 'while-away')));
      socket.conn.close();
    });
  });
}
setup(io.of('/'));
setup(io.of('/custom'));

httpServer.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${httpServer.address().port}`);
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
