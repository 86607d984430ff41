// What draws the person back: unread counts in the tab title, and (if they agree, asked once)
// a desktop notification for messages in other rooms or while the tab is hidden.
import { useCallback, useEffect, useRef, useState } from 'react';
import { notifyAsked, setNotifyAsked } from './storage.js';

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

export function useAttention() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'unsupported'));
  const [asked, setAsked] = useState(notifyAsked);
  const [hiddenUnread, setHiddenUnread] = useState(0);
  const roomRef = useRef(null);
  const meRef = useRef(0);

  useEffect(() => {
    const seen = () => {
      if (document.visibilityState === 'visible') setHiddenUnread(0);
    };
    document.addEventListener('visibilitychange', seen);
    return () => document.removeEventListener('visibilitychange', seen);
  }, []);

  const onMessage = useCallback(
    (m) => {
      if (!m || Number(m.user_id) === meRef.current) return;
      const elsewhere = m.room !== roomRef.current;
      const hidden = document.visibilityState === 'hidden';
      if (hidden && !elsewhere) setHiddenUnread((n) => n + 1);
      if ((elsewhere || hidden) && permission === 'granted') {
        try {
          new Notification(`${m.user} in #${m.room}`, { body: String(m.text).slice(0, 140), tag: `sb-${m.room}` });
        } catch {
          /* some browsers only allow notifications from a service worker */
        }
      }
    },
    [permission],
  );

  /** Sets the tab title from the chat state (null: not in the chat). */
  function useTitle(state) {
    roomRef.current = state?.room ?? null;
    meRef.current = state?.me?.id ?? 0;
    const total = state ? Object.values(state.unread).reduce((a, b) => a + b, 0) + hiddenUnread : 0;
    const room = state?.room;
    useEffect(() => {
      const base = room ? `#${room} · Switchboard chat` : 'Switchboard chat';
      document.title = total > 0 ? `(${total}) ${base}` : base;
    }, [room, total]);
  }

  const ask = useCallback(async () => {
    setNotifyAsked();
    setAsked(true);
    if (!supported()) return;
    try {
      setPermission(await Notification.requestPermission());
    } catch {
      setPermission(Notification.permission);
    }
  }, []);

  const dismiss = useCallback(() => {
    setNotifyAsked();
    setAsked(true);
  }, []);

  return {
    onMessage,
    useTitle,
    notifications: { permission, offer: supported() && !asked && permission === 'default', ask, dismiss },
  };
}
