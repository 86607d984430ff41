// The bench server contract on Node.js `ws`: /echo sends each message back to its sender,
// /bcast relays each message to every /bcast client, the sender included.
import http from "node:http";
import { WebSocketServer, WebSocket } from "ws";
import { announce, parseArgs } from "./args.mjs";

const args = parseArgs();
const server = http.createServer((req, res) => res.writeHead(404).end());
const echo = new WebSocketServer({ noServer: true });
const bcast = new WebSocketServer({ noServer: true });

echo.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
bcast.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    for (const client of bcast.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

server.on("upgrade", (req, socket, head) => {
  const path = new URL(req.url, "http://localhost").pathname;
  const target = path === "/echo" ? echo : path === "/bcast" ? bcast : null;
  if (!target) return socket.destroy();
  target.handleUpgrade(req, socket, head, (ws) => target.emit("connection", ws, req));
});
server.listen(args.port, "127.0.0.1", () => announce(server));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
