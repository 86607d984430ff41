// The Socket.IO connection to /chat: lives as long as there is an identity, and turns the
// server's events into reducer actions.
import { useEffect, useRef } from 'react';
import { io } from 'socket.io-client';
import { lastSeenId } from './messages.js';
import { ACK_TIMEOUT, errorText } from './errors.js';
import { loadRead } from '../storage.js';

const CATCH_UP_PAGE = 200; // messages per page when fetching what was missed

/** Joins `room`; after a reconnection (`after`), fetches everything missed page by page. */
export function joinRoom(socket, room, after, joinSeq, dispatch, extra = {}) {
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
    // Queued messages go out only once everything missed was merged (an own message that did
    // arrive is not sent twice).
    const missed = Array.isArray(ack.messages) ? [...ack.messages] : [];
    const done = () =>
      dispatch({ type: 'joined', room, messages: missed, online: ack.online, rate: ack.rate, after: payload.after, ...extra });
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
}

export function refreshRooms(socket, dispatch) {
  if (!socket || !socket.connected) return;
  socket.timeout(ACK_TIMEOUT).emit('rooms', {}, (err, ack) => {
    if (err || !ack || ack.ok === false || !Array.isArray(ack.rooms)) return;
    dispatch({ type: 'rooms', rooms: ack.rooms.map((r) => (typeof r === 'string' ? r : r && r.name)).filter(Boolean) });
  });
}

/**
 * Opens the connection while `token` is set. Returns {socketRef, joinSeq, epoch}; `epoch`
 * bumps on every (re)connect so that stale ack callbacks are ignored.
 */
export function useConnection(token, dispatch, stateRef, callbacks) {
  const socketRef = useRef(null);
  const joinSeq = useRef(0);
  const epoch = useRef(0);
  const cbRef = useRef(callbacks);
  cbRef.current = callbacks;

  useEffect(() => {
    if (!token) return undefined;
    dispatch({ type: 'reset', me: stateRef.current.me }); // a new session starts clean
    const socket = io('/chat', {
      path: '/socket.io/',
      auth: { token },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      timeout: 8000,
    });
    socketRef.current = socket;
    const offline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

    socket.on('connect', () => {
      epoch.current++;
      dispatch({ type: 'conn', conn: 'connected' });
      const s = stateRef.current;
      joinRoom(socket, s.room, lastSeenId(s.items) || undefined, joinSeq, dispatch, { lastRead: loadRead(s.room) });
      refreshRooms(socket, dispatch);
      cbRef.current.onConnect?.();
    });
    socket.on('disconnect', (reason) => {
      epoch.current++;
      const conn = reason === 'io client disconnect' || offline() ? 'offline' : 'reconnecting';
      dispatch({ type: 'disconnected', conn });
      cbRef.current.onDisconnect?.();
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

    socket.on('message', (m) => {
      dispatch({ type: 'incoming', message: m });
      cbRef.current.onMessage?.(m);
    });
    socket.on('presence', (p) => p && dispatch({ type: 'presence', room: p.room, online: p.online, now: Date.now() }));
    socket.on('typing', (t) =>
      t && dispatch({ type: 'typing', room: t.room, id: Number(t.user_id) || 0, user: t.user, typing: !!t.typing, now: Date.now() }),
    );
    socket.on('rename', (r) => {
      if (!r) return;
      const id = Number(r.id) || 0;
      if (id && id === stateRef.current.me.id && r.new) cbRef.current.onSelfRename?.(r.new);
      dispatch({ type: 'renamed', id, old: r.old, new: r.new });
    });
    socket.on('room', (r) => r && r.name && dispatch({ type: 'room', name: String(r.name), exists: !!r.exists }));
    // A refused message is shown on the message itself ("not sent, retrying"); other errors
    // in a banner.
    socket.on('error', (e) => {
      if (e && e.retry) return;
      dispatch({ type: 'banner', text: errorText(e), now: Date.now() });
    });

    const goOffline = () => dispatch({ type: 'conn', conn: socket.connected ? 'connected' : 'offline' });
    const goOnline = () => {
      if (socket.connected) return;
      dispatch({ type: 'conn', conn: 'reconnecting' });
      if (!socket.active) socket.connect();
    };
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);

    return () => {
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [token, dispatch, stateRef]);

  return { socketRef, joinSeq, epoch };
}
