// The longpoll example against plain HTTP clients, one connection per request.
// Usage: node longpoll_test.mjs <path to longpoll>
import assert from "node:assert/strict";
import { after, before, test as nodeTest } from "node:test";
import { request } from "./lib/http.mjs";
import { startServer, until } from "./lib/server.mjs";

// A test that hangs fails after 15 s instead of waiting for ctest's timeout.
const test = (name, fn) => nodeTest(name, { timeout: 15000 }, fn);

const binary = process.argv[2];
assert.ok(binary, "usage: node longpoll_test.mjs <longpoll>");

// Two servers: two shards holding polls up to 10 s, one shard holding them 300 ms.
let server;
let quick;
before(async () => {
  [server, quick] = await Promise.all([
    startServer(binary, ["--shards", "2", "--poll-timeout-ms", "10000"]),
    startServer(binary, ["--shards", "1", "--poll-timeout-ms", "300"]),
  ]);
});
after(async () => {
  for (const s of [server, quick]) assert.equal((await s.stop()).code, 0);
});

async function publish(base, text) {
  const r = await request(`${base}/publish`, { method: "POST", body: text });
  assert.equal(r.status, 200);
  return JSON.parse(r.body);
}

async function poll(base, query = "", options = {}) {
  const r = await request(`${base}/poll${query}`, options);
  return { ...r, json: r.status === 200 || r.status === 400 ? JSON.parse(r.body) : undefined };
}

const waiters = async (base) => JSON.parse((await request(`${base}/stats`)).body).waiters;

// Starts `n` polls and resolves once the server holds all of them.
async function held(base, query, n, already = 0) {
  const polls = Array.from({ length: n }, () => poll(base, query));
  await until(async () => (await waiters(base)) === already + n, `${n} held polls`);
  return polls;
}

test("a poll is answered at once with every event after its id", async () => {
  const a = await publish(server.url, "first");
  const b = await publish(server.url, 'second "quoted"\nline');
  const all = await poll(server.url, `?after=${a.id - 1}`);
  assert.equal(all.status, 200);
  assert.match(all.headers["content-type"], /^application\/json/);
  assert.deepEqual(all.json, {
    events: [
      { id: a.id, data: "first" },
      { id: b.id, data: 'second "quoted"\nline' },
    ],
    last_id: b.id,
  });
  const rest = await poll(server.url, `?after=${a.id}`);
  assert.deepEqual(rest.json.events, all.json.events.slice(1));
});

test("a held poll is answered by a publish from another request", async () => {
  const { id } = await publish(server.url, "before");
  const [pending] = await held(server.url, `?after=${id}`, 1);
  const next = await publish(server.url, "news");
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, { events: [{ id: next.id, data: "news" }], last_id: next.id });
});

test("a poll without after waits for the next event", async () => {
  await publish(server.url, "old");
  const [pending] = await held(server.url, "", 1);
  const next = await publish(server.url, "new");
  assert.deepEqual((await pending).json.events, [{ id: next.id, data: "new" }]);
});

test("a poll with nothing to answer gets 204 after the timeout", async () => {
  const { id } = await publish(quick.url, "x");
  const start = Date.now();
  const answer = await poll(quick.url, `?after=${id}`);
  assert.equal(answer.status, 204);
  assert.equal(answer.body, "");
  assert.ok(Date.now() - start >= 250, "answered before the timeout");
});

test("every held poll is answered, on both shards, by one publish", async () => {
  const { id } = await publish(server.url, "before");
  const pending = await held(server.url, `?after=${id}`, 16);
  const next = await publish(server.url, "to all");
  const answers = await Promise.all(pending);
  const shards = new Set();
  for (const a of answers) {
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, { events: [{ id: next.id, data: "to all" }], last_id: next.id });
    shards.add(a.headers["x-shard"]);
  }
  // 16 connections all landing on one shard would happen once in 2^15 runs.
  assert.deepEqual([...shards].sort(), ["0", "1"]);
  assert.ok(shards.has(String(1 - next.shard)), "no poll held on another shard than the publish");
});

test("an invalid after is answered 400 with a JSON error", async () => {
  for (const bad of ["abc", "-1", "", "1x", "1.5", "%zz", "99999999999999999999"]) {
    const answer = await poll(server.url, `?after=${bad}`);
    assert.equal(answer.status, 400, `after=${bad}`);
    assert.equal(typeof answer.json.error, "string");
  }
});

test("a poll whose client goes away is dropped", async () => {
  const { id } = await publish(server.url, "x");
  const controller = new AbortController();
  const gone = poll(server.url, `?after=${id}`, { signal: controller.signal }).catch(() => "aborted");
  await until(async () => (await waiters(server.url)) === 1, "the poll to be held");
  controller.abort();
  assert.equal(await gone, "aborted");
  await until(async () => (await waiters(server.url)) === 0, "the poll to be dropped");
});

test("shutdown answers held polls and the process exits promptly with status 0", async () => {
  const own = await startServer(binary, ["--shards", "2"]);
  const pending = await held(own.url, "", 4);
  const { code, ms } = await own.stop();
  assert.equal(code, 0);
  assert.ok(ms < 2500, `took ${ms} ms to exit`);
  for (const answer of await Promise.all(pending)) assert.equal(answer.status, 204);
});
