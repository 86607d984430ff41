// Messages as the UI keeps them: normalised from the server's JSON, merged by id.

const isMsg = (m) => m && !m.notice;
const sortKey = (m) => (m.notice ? m.after + 0.5 : m.id);

export function lastSeenId(items) {
  for (let i = items.length - 1; i >= 0; i--) if (isMsg(items[i])) return items[i].id;
  return 0;
}

export function firstId(items) {
  for (const m of items) if (isMsg(m)) return m.id;
  return null;
}

/** {id, room, user, userId, guest, text, ts}: userId 0 is a guest (a script without a token). */
export function normalize(m) {
  if (!m || typeof m !== 'object') return null;
  const id = Number(m.id);
  if (!Number.isFinite(id)) return null;
  const userId = Number(m.user_id) || 0;
  return {
    id,
    room: String(m.room ?? ''),
    user: String(m.user ?? ''),
    userId,
    guest: userId === 0,
    text: String(m.text ?? ''),
    ts: Number(m.ts) || 0,
  };
}

/** A person of the online list: {id, name, guest}. */
export function normalizePerson(p) {
  if (typeof p === 'string') return { id: 0, name: p, guest: true };
  if (!p || typeof p !== 'object') return null;
  const id = Number(p.id) || 0;
  return { id, name: String(p.name ?? ''), guest: id === 0 };
}

/** Merges messages into a room's list: deduplicated by id, sorted by id. */
export function mergeMessages(items, incoming) {
  const seen = new Set();
  for (const m of items) if (isMsg(m)) seen.add(m.id);
  const add = [];
  for (const raw of incoming || []) {
    const m = raw && raw.userId !== undefined ? raw : normalize(raw);
    if (!m || seen.has(m.id)) continue;
    seen.add(m.id);
    add.push(m);
  }
  if (add.length === 0) return items;
  return [...items, ...add].sort((a, b) => sortKey(a) - sortKey(b));
}

/**
 * An own message that arrives from the server (broadcast, or fetched after a reconnect) stands
 * for the oldest matching pending one: the server stored it even if its ack was lost.
 */
export function settlePending(pending, messages, meId, room) {
  let out = pending;
  for (const raw of messages || []) {
    const m = raw && raw.userId !== undefined ? raw : normalize(raw);
    if (!m || !meId || m.userId !== meId) continue;
    const i = out.findIndex((p) => p.room === room && p.text === m.text && m.id > p.sinceId);
    if (i >= 0) out = [...out.slice(0, i), ...out.slice(i + 1)];
  }
  return out;
}
