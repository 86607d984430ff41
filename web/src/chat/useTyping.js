// Our own "typing" notices: sent once when typing starts, stopped after a pause or on send.
import { useCallback, useEffect, useRef } from 'react';

const TYPING_IDLE = 3000; // stop "typing" after this long without a keystroke

export function useTyping(socketRef, stateRef, dispatch, typingCount) {
  const sent = useRef(false);
  const timer = useRef(null);

  const stopTyping = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = null;
    const socket = socketRef.current;
    if (sent.current && socket && socket.connected) {
      socket.emit('typing', { room: stateRef.current.room, typing: false });
    }
    sent.current = false;
  }, [socketRef, stateRef]);

  const noteTyping = useCallback(
    (text) => {
      const socket = socketRef.current;
      if (!text) return stopTyping();
      if (!socket || !socket.connected) return undefined;
      if (!sent.current) {
        socket.emit('typing', { room: stateRef.current.room, typing: true });
        sent.current = true;
      }
      clearTimeout(timer.current);
      timer.current = setTimeout(stopTyping, TYPING_IDLE);
      return undefined;
    },
    [socketRef, stateRef, stopTyping],
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
