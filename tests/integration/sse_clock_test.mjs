// The sse_clock example against the npm `eventsource` client (and raw HTTP where the wire
// matters). Usage: node sse_clock_test.mjs <path to sse_clock>
import assert from "node:assert/strict";
import { after, before, test as nodeTest } from "node:test";
import { EventSource } from "eventsource";
import { openStream, request } from "./lib/http.mjs";
import { startServer, until } from "./lib/server.mjs";

// A test that hangs fails after 15 s instead of waiting for ctest's timeout.
const test = (name, fn) => nodeTest(name, { timeout: 15000 }, fn);

const binary = process.argv[2];
assert.ok(binary, "usage: node sse_clock_test.mjs <sse_clock>");

let server;
before(async () => {
  server = await startServer(binary, ["--shards", "2", "--tick-ms", "50", "--update-ms", "50"]);
});
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0);
});

// Resolves with the next `n` events of `type` from `es`.
function nextEvents(es, type, n) {
  return new Promise((resolve) => {
    const seen = [];
    const listener = (e) => {
      seen.push(e);
      if (seen.length === n) {
        es.removeEventListener(type, listener);
        resolve(seen);
      }
    };
    es.addEventListener(type, listener);
  });
}

// An EventSource that sends Last-Event-ID on its first request, as a browser does when it
// reconnects.
function resuming(url, lastEventId) {
  return new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init.headers, "Last-Event-ID": lastEventId } }),
  });
}

const ids = (events) => events.map((e) => Number(e.lastEventId));

test("streams the current time as message events", async () => {
  const es = new EventSource(`${server.url}/sse-example`);
  try {
    const events = await nextEvents(es, "message", 3);
    for (const e of events) {
      const time = Date.parse(e.data);
      assert.ok(Math.abs(Date.now() - time) < 10_000, `not a current time: ${e.data}`);
    }
  } finally {
    es.close();
  }
});

test("update events carry consecutive ids", async () => {
  const es = new EventSource(`${server.url}/sse-example`);
  try {
    const events = await nextEvents(es, "update", 4);
    const first = Number(events[0].lastEventId);
    assert.ok(first >= 1);
    assert.deepEqual(ids(events), [first, first + 1, first + 2, first + 3]);
    assert.match(events[0].data, new RegExp(`^update ${first} at `));
  } finally {
    es.close();
  }
});

test("a client resuming with Last-Event-ID gets exactly the events it missed", async () => {
  const watcher = new EventSource(`${server.url}/sse-example`);
  const clients = [];
  try {
    const seen = await nextEvents(watcher, "update", 4);
    const lastSeen = seen[0].lastEventId;  // as if a client saw this one, then lost its link
    const missed = seen.slice(1);
    clients.push(resuming(`${server.url}/sse-example`, lastSeen));
    clients.push(new EventSource(`${server.url}/sse-example?lastEventId=${lastSeen}`));
    // Both listen from the start: an EventSource does not keep what it dispatched before a
    // listener was added (waiting on the first client before listening to the second lost
    // the second's replay under load).
    const replays = clients.map((es) => nextEvents(es, "update", 3));
    for (const replayed of await Promise.all(replays)) {
      assert.deepEqual(ids(replayed), ids(missed));
      assert.deepEqual(replayed.map((e) => e.data), missed.map((e) => e.data));
    }
  } finally {
    watcher.close();
    for (const es of clients) es.close();
  }
});

test("an unknown Last-Event-ID replays nothing", async () => {
  const watcher = new EventSource(`${server.url}/sse-example`);
  const es = resuming(`${server.url}/sse-example`, "999999999");
  try {
    const [latest] = await nextEvents(watcher, "update", 1);
    const [first] = await nextEvents(es, "update", 1);
    assert.ok(Number(first.lastEventId) >= Number(latest.lastEventId), "old events replayed");
  } finally {
    watcher.close();
    es.close();
  }
});

test("a client that goes away is removed at once; the others are still served", async () => {
  const own = await startServer(binary, ["--shards", "2", "--tick-ms", "50", "--update-ms", "0"]);
  const subscribers = async () => JSON.parse((await request(`${own.url}/stats`)).body).subscribers;
  const clients = [0, 1, 2].map(() => new EventSource(`${own.url}/sse-example`));
  try {
    await Promise.all(clients.map((es) => nextEvents(es, "message", 1)));
    assert.equal(await subscribers(), 3);
    clients[0].close();
    clients[1].close();
    await until(async () => (await subscribers()) === 1, "the two closed streams to be dropped");
    await nextEvents(clients[2], "message", 2);
  } finally {
    for (const es of clients) es.close();
    assert.equal((await own.stop()).code, 0);
  }
});

test("the stream is uncached, unbuffered and kept alive by heartbeat comments", async () => {
  const quiet = ["--shards", "1", "--tick-ms", "0", "--update-ms", "0", "--heartbeat-ms", "100"];
  const own = await startServer(binary, quiet);
  try {
    const stream = await openStream(`${own.url}/sse-example`);
    assert.equal(stream.res.statusCode, 200);
    assert.match(stream.res.headers["content-type"], /^text\/event-stream/);
    assert.equal(stream.res.headers["cache-control"], "no-cache");
    assert.equal(stream.res.headers["x-accel-buffering"], "no");
    assert.equal(await stream.next((text) => text.startsWith(":\n:\n")), ":\n:\n");
    stream.req.destroy();
  } finally {
    assert.equal((await own.stop()).code, 0);
  }
});

test("shutdown ends open streams and the process exits promptly with status 0", async () => {
  const own = await startServer(binary, ["--shards", "2", "--tick-ms", "50"]);
  const streams = await Promise.all([0, 1, 2, 3].map(() => openStream(`${own.url}/sse-example`)));
  await Promise.all(streams.map((s) => s.next((text) => text.includes("data: "))));
  const { code, ms } = await own.stop();
  assert.equal(code, 0);
  assert.ok(ms < 2500, `took ${ms} ms to exit`);
  await Promise.all(streams.map((s) => s.ended));
});
