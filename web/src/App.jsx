import { useCallback, useEffect, useRef, useState } from 'react';
import { useChat } from './useChat.js';
import { checkName, DEFAULT_ROOM, ROOM_RE } from './validate.js';
import { loadIdentity, loadName, loadRoom, saveIdentity, saveName, saveRoom } from './storage.js';
import { register } from './identity.js';
import { useAttention } from './useAttention.js';
import Register from './Register.jsx';
import Chat from './Chat.jsx';

function storedRoom() {
  const r = loadRoom();
  return r && ROOM_RE.test(r) ? r : DEFAULT_ROOM;
}

export default function App() {
  const [identity, setIdentity] = useState(loadIdentity);
  const [view, setView] = useState(() => (identity ? 'chat' : 'register'));
  const [regError, setRegError] = useState(null);
  const identityRef = useRef(identity);
  identityRef.current = identity;
  const [lastTried, setLastTried] = useState(() => loadName() ?? '');

  const forget = useCallback(() => {
    saveIdentity(null);
    setIdentity(null);
    setView('register');
  }, []);

  const onRefused = useCallback(
    (message) => {
      setLastTried(identityRef.current?.name ?? '');
      forget();
      setRegError(
        message === 'invalid token'
          ? 'This browser’s identity is not known to the server (it may have been reset). Please register again.'
          : `The server refused the connection: ${message}`,
      );
    },
    [forget],
  );

  const onSelfRename = useCallback((newName) => {
    const next = { ...identityRef.current, name: newName };
    saveIdentity(next);
    setIdentity(next);
  }, []);

  const attention = useAttention();
  const chat = useChat(identity, storedRoom(), {
    onRefused,
    onRoomChange: saveRoom,
    onSelfRename,
    onMessage: attention.onMessage,
  });
  attention.useTitle(view === 'chat' && identity ? chat.state : null);

  const submitName = useCallback(
    async (raw) => {
      const got = checkName(raw);
      if (got.error) return got.error;
      if (identity == null) {
        const res = await register(got.name);
        if (res.error) return res.error;
        saveIdentity(res.identity);
        saveName(null);
        setIdentity(res.identity);
        setRegError(null);
        setView('chat');
        return null;
      }
      if (got.name !== identity.name) {
        const res = await chat.actions.rename(got.name);
        if (!res.ok) return `Could not change the name: ${res.error}`;
        const next = { ...identityRef.current, name: res.name };
        saveIdentity(next);
        setIdentity(next);
      }
      setRegError(null);
      setView('chat');
      return null;
    },
    [identity, chat.actions],
  );

  if (view === 'register' || identity == null) {
    return (
      <Register
        initial={identity?.name ?? lastTried}
        changing={identity != null}
        error={regError}
        conn={identity != null ? chat.state.conn : null}
        onSubmit={submitName}
        onCancel={() => setView('chat')}
        onSignOut={forget}
      />
    );
  }
  return (
    <Chat
      state={chat.state}
      actions={chat.actions}
      onChangeName={() => setView('register')}
      onSignOut={forget}
      notifications={attention.notifications}
    />
  );
}
