// Messages the person sent that the server has not acknowledged yet: a queue, sent in order.
import { mergeMessages, normalize } from './messages.js';

export function pendingReducer(s, a) {
  switch (a.type) {
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
    default:
      return s;
  }
}
