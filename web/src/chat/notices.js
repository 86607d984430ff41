// "X joined" / "X left" lines from presence changes, throttled so that a flapping connection
// does not flood the conversation: at most one "joined" and one "left" line per person within
// THROTTLE_MS.
import { lastSeenId } from './messages.js';

const THROTTLE_MS = 30000;
const lastLine = new Map(); // "person-key kind" -> when its line was written
let seq = 0;

const keyOf = (p) => (p.id ? `u${p.id}` : `g${p.name}`);

export function presenceNotices(s, online, now = Date.now()) {
  if (!s.joined) return s.items;
  const before = new Map(s.online.map((p) => [keyOf(p), p]));
  const after = new Map(online.map((p) => [keyOf(p), p]));
  const lines = [];
  for (const [k, p] of after) if (!before.has(k) && p.id !== s.me.id) lines.push([k, p, 'joined']);
  for (const [k, p] of before) if (!after.has(k) && p.id !== s.me.id) lines.push([k, p, 'left']);
  let items = s.items;
  for (const [k, p, kind] of lines) {
    const last = lastLine.get(`${k} ${kind}`);
    if (last && now - last < THROTTLE_MS) continue;
    lastLine.set(`${k} ${kind}`, now);
    items = [
      ...items,
      { notice: true, presence: kind, key: `p${++seq}`, after: lastSeenId(items), text: `${p.name}${p.guest ? ' (guest)' : ''} ${kind}.` },
    ];
  }
  return items;
}
