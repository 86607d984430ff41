// Sending: the person's messages go out one at a time, in order, paced to the server's
// per-person limit (a token bucket of `rate.burst`, refilled at `rate.perSecond`), so that a
// burst is queued here rather than refused there. A refusal that says "retry" (rate limited,
// storage full) holds the queue until the server's retry_after_ms.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ACK_TIMEOUT, errorText } from './errors.js';
import { available, DEFAULT_RATE } from './bucket.js';

const RETRY_MIN = 1000;
const RETRY_MAX = 30000;

export function useSendQueue(state, dispatch, socketRef, epoch, bucket) {
  const inFlight = useRef(null); // cid of the message on the wire
  const timer = useRef(null);
  const [tick, setTick] = useState(0); // wakes the queue when a token is due

  const rate = state.rate || DEFAULT_RATE;

  const tokens = useCallback(() => available(bucket.current, rate), [bucket, rate]);

  const emit = useCallback(
    (p) => {
      const socket = socketRef.current;
      inFlight.current = p.cid;
      bucket.current.tokens -= 1;
      const myEpoch = epoch.current;
      dispatch({ type: 'pendingStatus', cid: p.cid, status: 'sending' });
      socket.timeout(ACK_TIMEOUT).emit('message', { room: p.room, text: p.text }, (err, ack) => {
        if (inFlight.current === p.cid) inFlight.current = null;
        if (err) {
          // lost with the connection: the 'disconnected' action re-queued it already
          if (myEpoch !== epoch.current) return;
          dispatch({ type: 'pendingStatus', cid: p.cid, status: 'failed', error: 'No answer from the server.' });
          return;
        }
        if (ack && ack.ok !== false && ack.message) {
          dispatch({ type: 'acked', cid: p.cid, message: ack.message });
        } else if (ack && ack.retry) {
          // "not sent, retrying": queued again (ahead of the later ones) when the server says
          dispatch({ type: 'pendingStatus', cid: p.cid, status: 'retrying', error: errorText(ack.error) });
          const wait = Math.min(RETRY_MAX, Math.max(RETRY_MIN, Number(ack.retry_after_ms) || RETRY_MIN));
          bucket.current.tokens = Math.min(bucket.current.tokens, 0);
          setTimeout(() => dispatch({ type: 'pendingRequeue', cid: p.cid }), wait);
        } else {
          dispatch({ type: 'pendingStatus', cid: p.cid, status: 'failed', error: errorText(ack?.error || 'not sent') });
        }
      });
    },
    [dispatch, socketRef, epoch, bucket],
  );

  // The head of the queue goes out once the room is joined on a live connection, when a token
  // is there (else a timer wakes us when one will be). A message waiting to be retried holds
  // the later ones, so that they stay in order.
  useEffect(() => {
    clearTimeout(timer.current);
    if (state.conn !== 'connected' || !state.joined) return undefined;
    const mine = state.pending.filter((p) => p.room === state.room && p.status !== 'failed');
    const head = mine[0];
    if (!head || head.status !== 'queued' || inFlight.current) return undefined;
    if (tokens() >= 1) {
      emit(head);
      return undefined;
    }
    const wait = Math.ceil(((1 - tokens()) / (rate.perSecond * 0.8)) * 1000);
    timer.current = setTimeout(() => setTick((n) => n + 1), wait);
    const t = timer.current;
    return () => clearTimeout(t);
  }, [state.conn, state.joined, state.pending, state.room, emit, tokens, rate.perSecond, tick]);

  // After a reconnection nothing is in flight any more.
  useEffect(() => {
    if (state.conn !== 'connected') inFlight.current = null;
  }, [state.conn]);
}
