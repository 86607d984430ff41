// Our own "typing" notices: sent once when typing starts, stopped after a pause or on send.
import { useCallback, useEffect, useRef } from 'react';
import { tryTake } from './bucket.js';

const TYPING_IDLE = 3000; // stop "typing" after this long without a keystroke
const rateOf = (stateRef) => stateRef.current.rate || undefined;

export function useTyping(socketRef, stateRef, dispatch, typingCount, bucket) {
  const sent = useRef(false);
  const timer = useRef(null);

  const stopTyping = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = null;
    const socket = socketRef.current;
    // (a "stopped" that cannot be afforded is left to the others' timeout)
    if (sent.current && socket && socket.connected && tryTake(bucket.current, rateOf(stateRef), 2)) {
      socket.emit('typing', { room: stateRef.current.room, typing: false });
    }
    sent.current = false;
  }, [socketRef, stateRef, bucket]);

  const noteTyping = useCallback(
    (text) => {
      const socket = socketRef.current;
      if (!text) return stopTyping();
      if (!socket || !socket.connected) return undefined;
      // typing notices leave tokens for the messages (they would be dropped over the limit)
      if (!sent.current && tryTake(bucket.current, rateOf(stateRef), 2)) {
        socket.emit('typing', { room: stateRef.current.room, typing: true });
        sent.current = true;
      }
      clearTimeout(timer.current);
      timer.current = setTimeout(stopTyping, TYPING_IDLE);
      return undefined;
    },
    [socketRef, stateRef, stopTyping, bucket],
  );

  // Someone else's "typing" expires if no update arrives.
  useEffect(() => {
    if (typingCount === 0) return undefined;
    const t = setInterval(() => dispatch({ type: 'typingExpire', now: Date.now() }), 1000);
    return () => clearInterval(t);
  }, [typingCount, dispatch]);

  const reset = useCallback(() => {
    sent.current = false;
  }, []);

  return { noteTyping, stopTyping, reset };
}
