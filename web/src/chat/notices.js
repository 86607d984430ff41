// "X joined" / "X left" lines from presence changes, throttled so that a flapping connection
// does not flood the conversation: within THROTTLE_MS a person has one line, which follows
// what happened ("X joined and left.", "X left and came back.").
import { lastSeenId } from './messages.js';

const THROTTLE_MS = 30000;
const lines = new Map(); // person key -> {at, first, key} of the person's last line
let seq = 0;

const keyOf = (p) => (p.id ? `u${p.id}` : `g${p.name}`);

function lineText(p, first, now) {
  const name = `${p.name}${p.guest ? ' (guest)' : ''}`;
  if (first === now) return `${name} ${now}.`;
  return first === 'joined' ? `${name} joined and left.` : `${name} left and came back.`;
}

export function presenceNotices(s, online, now = Date.now()) {
  if (!s.joined) return s.items;
  const before = new Map(s.online.map((p) => [keyOf(p), p]));
  const after = new Map(online.map((p) => [keyOf(p), p]));
  const changes = [];
  for (const [k, p] of after) if (!before.has(k) && p.id !== s.me.id) changes.push([k, p, 'joined']);
  for (const [k, p] of before) if (!after.has(k) && p.id !== s.me.id) changes.push([k, p, 'left']);
  let items = s.items;
  for (const [k, p, kind] of changes) {
    const last = lines.get(k);
    const i = last && now - last.at < THROTTLE_MS ? items.findIndex((m) => m.key === last.key) : -1;
    if (i >= 0) {
      items = items.map((m, j) => (j === i ? { ...m, presence: kind, text: lineText(p, last.first, kind) } : m));
      continue;
    }
    const key = `p${++seq}`;
    lines.set(k, { at: now, first: kind, key });
    items = [...items, { notice: true, presence: kind, key, after: lastSeenId(items), text: lineText(p, kind, kind) }];
  }
  return items;
}
