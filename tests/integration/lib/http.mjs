// Plain HTTP/1.1 requests, each on a connection of its own (no keep-alive pool), so that the
// kernel spreads them over a server's shards.
import http from "node:http";

/// Resolves to { status, headers, body } (body as text). `signal` aborts the request.
export function request(url, { method = "GET", headers = {}, body, signal } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, signal }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/// Opens a streaming GET; resolves to { res, req, next(predicate) } once the head is in.
/// next() resolves with the first piece of the body text (accumulated) matching predicate.
export function openStream(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      let text = "";
      const waiting = [];
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
        for (const w of waiting.splice(0)) {
          if (w.predicate(text)) w.resolve(text);
          else waiting.push(w);
        }
      });
      res.on("error", () => {});
      const next = (predicate) =>
        predicate(text) ? Promise.resolve(text) : new Promise((r) => waiting.push({ predicate, resolve: r }));
      resolve({ res, req, next, ended: new Promise((r) => res.on("close", r)) });
    });
    req.on("error", reject);
    req.end();
  });
}
