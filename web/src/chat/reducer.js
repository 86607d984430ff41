// The chat's state and how each event changes it (pure: tested through the browser).
import { lastSeenId, mergeMessages, normalize, normalizePerson, settlePending } from './messages.js';
import { pendingReducer } from './pending.js';
import { presenceNotices } from './notices.js';

export const PAGE = 50; // messages per join / history page
const TYPING_TTL = 6000; // forget someone's "typing" if no update arrives

let noticeSeq = 0;
export const notice = (items, text, extra = {}) => ({
  notice: true,
  key: `n${++noticeSeq}`,
  after: lastSeenId(items),
  text,
  ...extra,
});

export function initial(me, room) {
  return {
    me, // {id, name}
    conn: 'connecting',
    room,
    joined: false,
    loaded: false, // the room's history was loaded once (kept while reconnecting)
    joinError: null,
    rooms: [],
    unread: {}, // room -> messages that arrived while elsewhere
    items: [],
    pending: [],
    hasMore: false,
    loadingOlder: false,
    online: [],
    typing: {}, // user id (or guest name) -> {name, until}
    banner: null,
    rate: null, // {burst, per_second} told by the server
    lastRead: 0, // id of the last message read when the room was opened ("new messages")
  };
}

const typingKey = (id, name) => (id ? `u${id}` : `g${name}`);

function roomReducer(s, a) {
  switch (a.type) {
    case 'switchRoom':
      if (a.room === s.room) return s;
      return {
        ...s,
        room: a.room,
        joined: false,
        loaded: false,
        joinError: null,
        items: [],
        hasMore: false,
        loadingOlder: false,
        online: [],
        typing: {},
        lastRead: 0,
        unread: { ...s.unread, [a.room]: 0 },
      };
    case 'joined': {
      if (a.room !== s.room) return s;
      const items = mergeMessages(s.items, a.messages);
      const pending = a.after != null ? settlePending(s.pending, a.messages, s.me.id, s.room) : s.pending;
      const online = Array.isArray(a.online) ? a.online.map(normalizePerson).filter(Boolean) : s.online;
      return {
        ...s,
        joined: true,
        loaded: true,
        joinError: null,
        items,
        pending,
        hasMore: a.after != null ? s.hasMore : (a.messages || []).length >= PAGE,
        online,
        rate: a.rate && Number(a.rate.burst) > 0 ? { burst: Number(a.rate.burst), perSecond: Number(a.rate.per_second) } : s.rate,
        rooms: s.rooms.includes(a.room) ? s.rooms : [...s.rooms, a.room].sort(),
        // where the person left off ("new messages" below it); 0: no divider
        lastRead: a.after == null ? a.lastRead || 0 : s.lastRead,
      };
    }
    case 'joinFailed':
      return a.room === s.room ? { ...s, joinError: a.error } : s;
    case 'incoming': {
      const m = normalize(a.message);
      if (!m) return s;
      if (m.room !== s.room) return { ...s, unread: { ...s.unread, [m.room]: (s.unread[m.room] || 0) + 1 } };
      const items = mergeMessages(s.items, [m]);
      const pending = settlePending(s.pending, [m], s.me.id, s.room);
      const typing = { ...s.typing };
      delete typing[typingKey(m.userId, m.user)];
      return { ...s, items, pending, typing };
    }
    case 'older':
      if (a.room !== s.room) return s;
      return {
        ...s,
        items: mergeMessages(s.items, a.messages),
        hasMore: a.error ? s.hasMore : (a.messages || []).length >= a.limit,
        loadingOlder: false,
      };
    case 'olderStart':
      return { ...s, loadingOlder: true };
    case 'markRead':
      return s.lastRead === a.id ? s : { ...s, lastRead: a.id };
    default:
      return s;
  }
}

function peopleReducer(s, a) {
  switch (a.type) {
    case 'presence': {
      if (a.room !== s.room || !Array.isArray(a.online)) return s;
      const online = a.online.map(normalizePerson).filter(Boolean);
      return { ...s, online, items: presenceNotices(s, online, a.now) };
    }
    case 'typing': {
      if (a.room !== s.room || (a.id && a.id === s.me.id) || !a.user) return s;
      const key = typingKey(a.id, a.user);
      const typing = { ...s.typing };
      if (a.typing) typing[key] = { name: a.user, until: a.now + TYPING_TTL };
      else if (!(key in typing)) return s;
      else delete typing[key];
      return { ...s, typing };
    }
    case 'typingExpire': {
      const typing = {};
      let changed = false;
      for (const [k, t] of Object.entries(s.typing)) {
        if (t.until > a.now) typing[k] = t;
        else changed = true;
      }
      return changed ? { ...s, typing } : s;
    }
    case 'renamed': {
      const { id, old, new: neu } = a;
      if (!neu || old === neu) return s;
      const self = id ? id === s.me.id : old === s.me.name;
      const online = s.online.map((p) => ((id ? p.id === id : p.guest && p.name === old) ? { ...p, name: neu } : p));
      const pair = `${id}\u0000${old}\u0000${neu}`;
      const last = s.items[s.items.length - 1];
      // the server's broadcast and our own ack may both report one rename
      const already = last && last.notice && last.pair === pair;
      const text = self ? `You are now known as ${neu}.` : `${old} is now known as ${neu}.`;
      const items = already ? s.items : [...s.items, notice(s.items, text, { pair })];
      return { ...s, me: self ? { ...s.me, name: neu } : s.me, online, items };
    }
    default:
      return s;
  }
}

function sessionReducer(s, a) {
  switch (a.type) {
    case 'conn':
      return s.conn === a.conn ? s : { ...s, conn: a.conn };
    case 'disconnected':
      return {
        ...s,
        conn: a.conn,
        joined: false,
        typing: {},
        // in-flight messages go back to the queue; they are matched or re-sent after re-joining
        pending: s.pending.map((p) => (p.status === 'sending' ? { ...p, status: 'queued' } : p)),
      };
    case 'me':
      return { ...s, me: a.me };
    case 'reset':
      return initial(a.me, s.room);
    case 'rooms': {
      const set = new Set(a.rooms);
      set.add(s.room);
      return { ...s, rooms: [...set].sort() };
    }
    case 'room': {
      // pushed by the server when a room is created or removed
      const set = new Set(s.rooms);
      if (a.exists) set.add(a.name);
      else if (a.name !== s.room) set.delete(a.name);
      return { ...s, rooms: [...set].sort() };
    }
    case 'banner':
      return { ...s, banner: a.text ? { text: a.text, at: a.now } : null };
    default:
      return s;
  }
}

export function reducer(s, a) {
  return [sessionReducer, roomReducer, peopleReducer, pendingReducer].reduce((state, r) => r(state, a), s);
}
