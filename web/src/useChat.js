// The chat session: one Socket.IO connection to namespace /chat and the state of the current room.
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { io } from 'socket.io-client';
import { DEFAULT_ROOM } from './validate.js';

export const PAGE = 50; // messages per join / history page
const ACK_TIMEOUT = 10000;
const TYPING_IDLE = 3000; // stop "typing" after this long without a keystroke
const TYPING_TTL = 6000; // forget someone's "typing" if no update arrives
const ROOMS_REFRESH = 20000;
const CATCH_UP_PAGE = 200; // messages per page when fetching what was missed
const RETRY_MIN = 1000; // a message the server could not store is re-sent after this at least
const RETRY_MAX = 30000;

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

function normalize(m) {
  if (!m || typeof m !== 'object') return null;
  const id = Number(m.id);
  if (!Number.isFinite(id)) return null;
  return {
    id,
    room: String(m.room ?? ''),
    user: String(m.user ?? ''),
    text: String(m.text ?? ''),
    ts: Number(m.ts) || 0,
  };
}

/** Merges messages into a room's list: deduplicated by id, sorted by id. */
export function mergeMessages(items, incoming) {
  const seen = new Set();
  for (const m of items) if (isMsg(m)) seen.add(m.id);
  const add = [];
  for (const raw of incoming || []) {
    const m = normalize(raw);
    if (!m || seen.has(m.id)) continue;
    seen.add(m.id);
    add.push(m);
  }
  if (add.length === 0) return items;
  return [...items, ...add].sort((a, b) => sortKey(a) - sortKey(b));
}

// An own message that arrives from the server (broadcast, or fetched after a reconnect) stands
// for the oldest matching pending one: the server stored it even if its ack was lost.
function settlePending(pending, messages, me, room) {
  let out = pending;
  for (const raw of messages || []) {
    const m = normalize(raw);
    if (!m || m.user !== me) continue;
    const i = out.findIndex(
      (p) => p.room === room && p.text === m.text && m.id > p.sinceId,
    );
    if (i >= 0) out = [...out.slice(0, i), ...out.slice(i + 1)];
  }
  return out;
}

let noticeSeq = 0;

function initial(me, room) {
  return {
    me,
    conn: 'connecting',
    room,
    joined: false,
    joinError: null,
    rooms: [],
    items: [],
    pending: [],
    hasMore: false,
    loadingOlder: false,
    online: [],
    typing: {},
    banner: null,
  };
}

function reducer(s, a) {
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
    case 'switchRoom':
      if (a.room === s.room) return s;
      return {
        ...s,
        room: a.room,
        joined: false,
        joinError: null,
        items: [],
        hasMore: false,
        loadingOlder: false,
        online: [],
        typing: {},
      };
    case 'joined': {
      if (a.room !== s.room) return s;
      const items = mergeMessages(s.items, a.messages);
      const pending = a.after != null ? settlePending(s.pending, a.messages, s.me, s.room) : s.pending;
      return {
        ...s,
        joined: true,
        joinError: null,
        items,
        pending,
        hasMore: a.after != null ? s.hasMore : (a.messages || []).length >= PAGE,
        online: Array.isArray(a.online) ? a.online.map(String) : s.online,
        rooms: s.rooms.includes(a.room) ? s.rooms : [...s.rooms, a.room].sort(),
      };
    }
    case 'joinFailed':
      return a.room === s.room ? { ...s, joinError: a.error } : s;
    case 'incoming': {
      const m = normalize(a.message);
      if (!m || m.room !== s.room) return s;
      const items = mergeMessages(s.items, [m]);
      const pending = settlePending(s.pending, [m], s.me, s.room);
      const typing = { ...s.typing };
      delete typing[m.user];
      return { ...s, items, pending, typing };
    }
    case 'older': {
      if (a.room !== s.room) return s;
      return {
        ...s,
        items: mergeMessages(s.items, a.messages),
        hasMore: a.error ? s.hasMore : (a.messages || []).length >= a.limit,
        loadingOlder: false,
      };
    }
    case 'olderStart':
      return { ...s, loadingOlder: true };
    case 'presence':
      if (a.room !== s.room || !Array.isArray(a.online)) return s;
      return { ...s, online: a.online.map(String) };
    case 'typing': {
      if (a.room !== s.room || !a.user || a.user === s.me) return s;
      const typing = { ...s.typing };
      if (a.typing) typing[a.user] = a.now + TYPING_TTL;
      else if (!(a.user in typing)) return s;
      else delete typing[a.user];
      return { ...s, typing };
    }
    case 'typingExpire': {
      const typing = {};
      let changed = false;
      for (const [u, t] of Object.entries(s.typing)) {
        if (t > a.now) typing[u] = t;
        else changed = true;
      }
      return changed ? { ...s, typing } : s;
    }
    case 'renamed': {
      const { old, new: neu } = a;
      if (!old || !neu || old === neu) return s;
      const self = old === s.me || neu === s.me;
      const online = s.online.map((n) => (n === old ? neu : n));
      const typing = { ...s.typing };
      if (old in typing) {
        typing[neu] = typing[old];
        delete typing[old];
      }
      const pair = `${old}\u0000${neu}`;
      const last = s.items[s.items.length - 1];
      // the server's broadcast and our own ack may both report one rename
      const already = last && last.notice && last.pair === pair;
      const notice = {
        notice: true,
        pair,
        key: `n${++noticeSeq}`,
        after: lastSeenId(s.items),
        text: self ? `You are now known as ${neu}.` : `${old} is now known as ${neu}.`,
      };
      const items = already ? s.items : [...s.items, notice];
      return { ...s, me: old === s.me ? neu : s.me, online, typing, items };
    }
    case 'me':
      return { ...s, me: a.me };
    case 'reset':
      return initial(a.me, s.room);
    case 'rooms': {
      const set = new Set(a.rooms);
      set.add(s.room);
      return { ...s, rooms: [...set].sort() };
    }
    case 'pendingAdd':
      return { ...s, pending: [...s.pending, a.p] };
    case 'pendingStatus':
      return {
        ...s,
        pending: s.pending.map((p) => (p.cid === a.cid ? { ...p, status: a.status, error: a.error } : p)),
      };
    case 'pendingRequeue':
      // only a message still waiting to be retried (not discarded, not sent meanwhile)
      return {
        ...s,
        pending: s.pending.map((p) => (p.cid === a.cid && p.status === 'retrying' ? { ...p, status: 'queued' } : p)),
      };
    case 'pendingDrop':
      return { ...s, pending: s.pending.filter((p) => p.cid !== a.cid) };
    case 'acked': {
      const pending = s.pending.filter((p) => p.cid !== a.cid);
      const m = normalize(a.message);
      const items = m && m.room === s.room ? mergeMessages(s.items, [m]) : s.items;
      return { ...s, pending, items };
    }
    case 'banner':
      return { ...s, banner: a.text ? { text: a.text, at: a.now } : null };
    default:
      return s;
  }
}

function errorText(e) {
  if (!e) return 'unknown error';
  if (typeof e === 'string') return e;
  if (e.message) return e.message;
  if (e.error) return String(e.error);
  return String(e);
}

/**
 * name: the display name, or null for no session. Renames keep the same connection.
 * onRefused(message): the server refused the connection (e.g. "invalid name").
 */
export function useChat(name, initialRoom, { onRefused, onRoomChange, onSelfRename } = {}) {
  const [state, dispatch] = useReducer(reducer, null, () => initial(name, initialRoom || DEFAULT_ROOM));
  const active = name != null;
  const socketRef = useRef(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const nameRef = useRef(name);
  const joinSeq = useRef(0);
  const epoch = useRef(0); // bumps on every (re)connect; stale ack callbacks are ignored
  const inFlight = useRef(new Set());
  const typingSent = useRef(false);
  const typingTimer = useRef(null);
  const cbRef = useRef({ onRefused, onRoomChange, onSelfRename });
  cbRef.current = { onRefused, onRoomChange, onSelfRename };

  useEffect(() => {
    nameRef.current = name;
    if (name != null && name !== stateRef.current.me) dispatch({ type: 'me', me: name });
  }, [name]);

  const join = useCallback((room, after) => {
    const socket = socketRef.current;
    if (!socket || !socket.connected) return;
    const seq = ++joinSeq.current;
    const payload = after != null && after > 0 ? { room, after } : { room };
    const failed = (error) => {
      if (seq === joinSeq.current && socket.connected) dispatch({ type: 'joinFailed', room, error });
    };
    socket.timeout(ACK_TIMEOUT).emit('join', payload, (err, ack) => {
      if (seq !== joinSeq.current) return; // superseded by a later join
      if (err) return failed('The server did not answer.');
      if (!ack || ack.ok === false) return failed(errorText(ack?.error || 'could not join'));
      // After a reconnection the ack holds one page of what was missed: fetch the rest, page by
      // page, before counting as joined (queued messages go out only once everything missed
      // was merged, so an own message that did arrive is not sent twice).
      const missed = Array.isArray(ack.messages) ? [...ack.messages] : [];
      const done = () =>
        dispatch({ type: 'joined', room, messages: missed, online: ack.online, after: payload.after });
      if (payload.after == null || !ack.more) return done();
      const next = () => {
        const last = missed.length ? Number(missed[missed.length - 1].id) : payload.after;
        socket.timeout(ACK_TIMEOUT).emit('history', { room, after: last, limit: CATCH_UP_PAGE }, (e, page) => {
          if (seq !== joinSeq.current) return;
          if (e || !page || page.ok === false) return failed('Could not load the messages you missed.');
          if (Array.isArray(page.messages)) missed.push(...page.messages);
          if (page.more && page.messages?.length) next();
          else done();
        });
      };
      next();
    });
  }, []);

  const refreshRooms = useCallback(() => {
    const socket = socketRef.current;
    if (!socket || !socket.connected) return;
    socket.timeout(ACK_TIMEOUT).emit('rooms', {}, (err, ack) => {
      if (err || !ack || ack.ok === false || !Array.isArray(ack.rooms)) return;
      dispatch({
        type: 'rooms',
        rooms: ack.rooms.map((r) => (typeof r === 'string' ? r : r && r.name)).filter(Boolean),
      });
    });
  }, []);

  // The connection lives as long as there is a name.
  useEffect(() => {
    if (!active) return undefined;
    dispatch({ type: 'reset', me: nameRef.current }); // a new session starts clean
    const socket = io('/chat', {
      path: '/socket.io/',
      auth: (cb) => cb({ name: nameRef.current }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      timeout: 8000,
    });
    socketRef.current = socket;
    const offline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

    socket.on('connect', () => {
      epoch.current++;
      inFlight.current.clear();
      typingSent.current = false;
      dispatch({ type: 'conn', conn: 'connected' });
      const s = stateRef.current;
      join(s.room, lastSeenId(s.items) || undefined);
      refreshRooms();
    });
    socket.on('disconnect', (reason) => {
      epoch.current++;
      inFlight.current.clear();
      const conn = reason === 'io client disconnect' || offline() ? 'offline' : 'reconnecting';
      dispatch({ type: 'disconnected', conn });
    });
    socket.on('connect_error', (err) => {
      if (!socket.active) {
        // refused by the server (middleware error): socket.io-client will not retry
        cbRef.current.onRefused?.(errorText(err));
        return;
      }
      dispatch({ type: 'conn', conn: offline() ? 'offline' : 'reconnecting' });
    });
    socket.io.on('reconnect_attempt', () => dispatch({ type: 'conn', conn: offline() ? 'offline' : 'reconnecting' }));
    socket.io.on('reconnect_failed', () => dispatch({ type: 'conn', conn: 'offline' }));

    socket.on('message', (m) => dispatch({ type: 'incoming', message: m }));
    socket.on('presence', (p) => p && dispatch({ type: 'presence', room: p.room, online: p.online }));
    socket.on('typing', (t) => t && dispatch({ type: 'typing', room: t.room, user: t.user, typing: !!t.typing, now: Date.now() }));
    socket.on('rename', (r) => {
      if (!r) return;
      if (r.old === nameRef.current && r.new) {
        // our own rename, reported by the server (maybe before the ack): keep the stored name in step
        nameRef.current = r.new;
        cbRef.current.onSelfRename?.(r.new);
      }
      dispatch({ type: 'renamed', old: r.old, new: r.new });
    });
    socket.on('error', (e) => dispatch({ type: 'banner', text: errorText(e), now: Date.now() }));

    const goOffline = () => dispatch({ type: 'conn', conn: socket.connected ? 'connected' : 'offline' });
    const goOnline = () => {
      if (socket.connected) return;
      dispatch({ type: 'conn', conn: 'reconnecting' });
      if (!socket.active) socket.connect();
    };
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);
    const roomsTimer = setInterval(refreshRooms, ROOMS_REFRESH);

    return () => {
      clearInterval(roomsTimer);
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [active, join, refreshRooms]);

  // Someone's "typing" expires if no update arrives.
  const typingCount = Object.keys(state.typing).length;
  useEffect(() => {
    if (typingCount === 0) return undefined;
    const t = setInterval(() => dispatch({ type: 'typingExpire', now: Date.now() }), 1000);
    return () => clearInterval(t);
  }, [typingCount]);

  const emitMessage = useCallback((p) => {
    const socket = socketRef.current;
    if (!socket || !socket.connected || inFlight.current.has(p.cid)) return;
    inFlight.current.add(p.cid);
    const myEpoch = epoch.current;
    dispatch({ type: 'pendingStatus', cid: p.cid, status: 'sending' });
    socket.timeout(ACK_TIMEOUT).emit('message', { room: p.room, text: p.text }, (err, ack) => {
      inFlight.current.delete(p.cid);
      if (err) {
        // lost with the connection: the 'disconnected' action re-queued it already
        if (myEpoch !== epoch.current) return;
        dispatch({ type: 'pendingStatus', cid: p.cid, status: 'failed', error: 'No answer from the server.' });
        return;
      }
      if (ack && ack.ok !== false && ack.message) {
        dispatch({ type: 'acked', cid: p.cid, message: ack.message });
      } else if (ack && ack.retry) {
        // The server could not store it now (its disk is full, it is overloaded) or we sent too
        // fast: "not sent, retrying", and queued again when the server says to try.
        dispatch({ type: 'pendingStatus', cid: p.cid, status: 'retrying', error: errorText(ack.error) });
        const wait = Math.min(RETRY_MAX, Math.max(RETRY_MIN, Number(ack.retry_after_ms) || RETRY_MIN));
        setTimeout(() => dispatch({ type: 'pendingRequeue', cid: p.cid }), wait);
      } else {
        dispatch({ type: 'pendingStatus', cid: p.cid, status: 'failed', error: errorText(ack?.error || 'not sent') });
      }
    });
  }, []);

  // Queued messages go out once the room is joined on a live connection (after a reconnect this
  // runs after the missed messages were merged, so an own message that did arrive is not re-sent).
  useEffect(() => {
    if (state.conn !== 'connected' || !state.joined) return;
    for (const p of state.pending) {
      if (p.status === 'queued' && p.room === state.room) emitMessage(p);
    }
  }, [state.conn, state.joined, state.pending, state.room, emitMessage]);

  const stopTyping = useCallback(() => {
    clearTimeout(typingTimer.current);
    typingTimer.current = null;
    const socket = socketRef.current;
    if (typingSent.current && socket && socket.connected) {
      socket.emit('typing', { room: stateRef.current.room, typing: false });
    }
    typingSent.current = false;
  }, []);

  const noteTyping = useCallback(
    (text) => {
      const socket = socketRef.current;
      if (!text) {
        stopTyping();
        return;
      }
      if (!socket || !socket.connected) return;
      if (!typingSent.current) {
        socket.emit('typing', { room: stateRef.current.room, typing: true });
        typingSent.current = true;
      }
      clearTimeout(typingTimer.current);
      typingTimer.current = setTimeout(stopTyping, TYPING_IDLE);
    },
    [stopTyping],
  );

  const send = useCallback(
    (text) => {
      const s = stateRef.current;
      stopTyping();
      const p = {
        cid: `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        room: s.room,
        user: s.me,
        text,
        ts: Date.now(),
        sinceId: lastSeenId(s.items),
        status: 'queued',
      };
      dispatch({ type: 'pendingAdd', p });
      // the flush effect sends it as soon as the room is joined
    },
    [stopTyping],
  );

  const retry = useCallback((cid) => dispatch({ type: 'pendingStatus', cid, status: 'queued' }), []);
  const discard = useCallback((cid) => dispatch({ type: 'pendingDrop', cid }), []);

  const switchRoom = useCallback(
    (room) => {
      const s = stateRef.current;
      if (room === s.room) return;
      stopTyping();
      const socket = socketRef.current;
      if (socket && socket.connected) {
        socket.timeout(ACK_TIMEOUT).emit('leave', { room: s.room }, () => {});
      }
      dispatch({ type: 'switchRoom', room });
      stateRef.current = { ...s, room, items: [] };
      cbRef.current.onRoomChange?.(room);
      join(room);
      refreshRooms();
    },
    [join, refreshRooms, stopTyping],
  );

  const loadOlder = useCallback(() => {
    const s = stateRef.current;
    const socket = socketRef.current;
    if (!s.hasMore || s.loadingOlder || !socket || !socket.connected) return;
    const before = firstId(s.items);
    if (before == null) return;
    const room = s.room;
    dispatch({ type: 'olderStart' });
    stateRef.current = { ...s, loadingOlder: true };
    socket.timeout(ACK_TIMEOUT).emit('history', { room, before, limit: PAGE }, (err, ack) => {
      if (err || !ack || ack.ok === false) {
        dispatch({ type: 'older', room, messages: [], limit: PAGE, error: true });
        return;
      }
      dispatch({ type: 'older', room, messages: ack.messages, limit: PAGE });
    });
  }, []);

  /** Resolves {ok:true, name} or {ok:false, error}. */
  const rename = useCallback((newName) => {
    const socket = socketRef.current;
    if (!socket || !socket.connected) {
      // not connected: the next (re)connection introduces itself with the new name
      nameRef.current = newName;
      dispatch({ type: 'me', me: newName });
      if (socket && !socket.active) socket.connect();
      return Promise.resolve({ ok: true, name: newName });
    }
    return new Promise((resolve) => {
      socket.timeout(ACK_TIMEOUT).emit('rename', { name: newName }, (err, ack) => {
        if (err) return resolve({ ok: false, error: 'The server did not answer. Try again.' });
        if (!ack || ack.ok === false) return resolve({ ok: false, error: errorText(ack?.error || 'refused') });
        const got = typeof ack.name === 'string' && ack.name ? ack.name : newName;
        const old = nameRef.current;
        nameRef.current = got;
        dispatch({ type: 'renamed', old, new: got });
        dispatch({ type: 'me', me: got });
        resolve({ ok: true, name: got });
      });
    });
  }, []);

  const dismissBanner = useCallback(() => dispatch({ type: 'banner', text: null }), []);

  const actions = useMemo(
    () => ({ send, retry, discard, switchRoom, loadOlder, rename, noteTyping, stopTyping, dismissBanner }),
    [send, retry, discard, switchRoom, loadOlder, rename, noteTyping, stopTyping, dismissBanner],
  );
  return { state, actions };
}
