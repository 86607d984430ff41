// The chat session: composes the connection, the state, the send queue and typing notices.
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { DEFAULT_ROOM } from './validate.js';
import { loadRead } from './storage.js';
import { firstId, lastSeenId } from './chat/messages.js';
import { initial, PAGE, reducer } from './chat/reducer.js';
import { ACK_TIMEOUT, errorText } from './chat/errors.js';
import { joinRoom, refreshRooms, useConnection } from './chat/useConnection.js';
import { useSendQueue } from './chat/useSendQueue.js';
import { useTyping } from './chat/useTyping.js';
import { createBucket } from './chat/bucket.js';

export { PAGE };

/**
 * identity: {id, name, token}, or null for no session. Renames keep the same connection.
 * onRefused(message): the server refused the connection (e.g. "invalid token").
 */
export function useChat(identity, initialRoom, { onRefused, onRoomChange, onSelfRename, onMessage } = {}) {
  const me = identity ? { id: identity.id, name: identity.name } : { id: 0, name: '' };
  const [state, dispatch] = useReducer(reducer, null, () => initial(me, initialRoom || DEFAULT_ROOM));
  const stateRef = useRef(state);
  stateRef.current = state;
  // a new identity (signed in again), or a rename stored by the app
  const meId = me.id;
  const meName = me.name;
  useEffect(() => {
    const s = stateRef.current;
    if (s.me.id === meId && s.me.name === meName) return;
    stateRef.current = { ...s, me: { id: meId, name: meName } };
    dispatch({ type: 'me', me: { id: meId, name: meName } });
  }, [meId, meName]);
  const cbRef = useRef({ onRoomChange });
  cbRef.current = { onRoomChange };

  const typingCount = Object.keys(state.typing).length;
  const conn = useConnection(identity?.token ?? null, dispatch, stateRef, {
    onRefused,
    onSelfRename,
    onMessage,
    onConnect: () => typing.reset(),
  });
  const { socketRef, joinSeq } = conn;
  const bucket = useRef(createBucket()); // shared by messages and typing notices
  const typing = useTyping(socketRef, stateRef, dispatch, typingCount, bucket);
  useSendQueue(state, dispatch, socketRef, conn.epoch, bucket);

  const { stopTyping, noteTyping } = typing;

  const send = useCallback(
    (text) => {
      const s = stateRef.current;
      stopTyping();
      const p = {
        cid: `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        room: s.room,
        user: s.me.name,
        text,
        ts: Date.now(),
        sinceId: lastSeenId(s.items),
        status: 'queued',
      };
      dispatch({ type: 'pendingAdd', p }); // the send queue takes it from here
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
      dispatch({ type: 'switchRoom', room });
      stateRef.current = { ...s, room, items: [] };
      cbRef.current.onRoomChange?.(room);
      // the previous room stays joined: its new messages count as unread
      joinRoom(socket, room, undefined, joinSeq, dispatch, { lastRead: loadRead(room) });
      refreshRooms(socket, dispatch);
    },
    [socketRef, joinSeq, stopTyping],
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
  }, [socketRef]);

  /** Resolves {ok:true, name} or {ok:false, error}. */
  const rename = useCallback(
    (newName) => {
      const socket = socketRef.current;
      if (!socket || !socket.connected) {
        return Promise.resolve({ ok: false, error: 'Not connected. Try again once the connection is back.' });
      }
      return new Promise((resolve) => {
        socket.timeout(ACK_TIMEOUT).emit('rename', { name: newName }, (err, ack) => {
          if (err) return resolve({ ok: false, error: 'The server did not answer. Try again.' });
          if (!ack || ack.ok === false) return resolve({ ok: false, error: errorText(ack?.error || 'refused') });
          const got = typeof ack.name === 'string' && ack.name ? ack.name : newName;
          const s = stateRef.current;
          dispatch({ type: 'renamed', id: s.me.id, old: s.me.name, new: got });
          resolve({ ok: true, name: got });
        });
      });
    },
    [socketRef],
  );

  const dismissBanner = useCallback(() => dispatch({ type: 'banner', text: null }), []);
  const markRead = useCallback((id) => dispatch({ type: 'markRead', id }), []);

  const actions = useMemo(
    () => ({ send, retry, discard, switchRoom, loadOlder, rename, noteTyping, stopTyping, dismissBanner, markRead }),
    [send, retry, discard, switchRoom, loadOlder, rename, noteTyping, stopTyping, dismissBanner, markRead],
  );
  return { state, actions };
}
