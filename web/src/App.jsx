import { useCallback, useEffect, useRef, useState } from 'react';
import { useChat } from './useChat.js';
import { checkName, DEFAULT_ROOM, ROOM_RE } from './validate.js';
import { loadName, loadRoom, saveName, saveRoom } from './storage.js';
import Register from './Register.jsx';
import Chat from './Chat.jsx';

function storedName() {
  const got = checkName(loadName());
  return got.name ?? null;
}

function storedRoom() {
  const r = loadRoom();
  return r && ROOM_RE.test(r) ? r : DEFAULT_ROOM;
}

export default function App() {
  const [name, setName] = useState(storedName);
  const [view, setView] = useState(() => (name ? 'chat' : 'register'));
  const [regError, setRegError] = useState(null);
  const nameRef = useRef(name);
  nameRef.current = name;
  const [lastTried, setLastTried] = useState('');

  const onRefused = useCallback((message) => {
    setLastTried(nameRef.current ?? '');
    saveName(null);
    setName(null);
    setView('register');
    setRegError(
      message === 'invalid name'
        ? 'The server refused this name (invalid name). Please choose another one.'
        : `The server refused the connection: ${message}`,
    );
  }, []);

  const onSelfRename = useCallback((newName) => {
    saveName(newName);
    setName(newName);
  }, []);

  const chat = useChat(name, storedRoom(), { onRefused, onRoomChange: saveRoom, onSelfRename });

  useEffect(() => {
    document.title = view === 'chat' && name ? `#${chat.state.room} · Switchboard chat` : 'Switchboard chat';
  }, [view, name, chat.state.room]);

  const submitName = useCallback(
    async (raw) => {
      const got = checkName(raw);
      if (got.error) return got.error;
      if (name == null) {
        saveName(got.name);
        setName(got.name);
        setRegError(null);
        setView('chat');
        return null;
      }
      if (got.name !== name) {
        const res = await chat.actions.rename(got.name);
        if (!res.ok) return `Could not change the name: ${res.error}`;
        saveName(res.name);
        setName(res.name);
      }
      setRegError(null);
      setView('chat');
      return null;
    },
    [name, chat.actions],
  );

  if (view === 'register' || name == null) {
    return (
      <Register
        initial={name ?? lastTried}
        changing={name != null}
        error={regError}
        conn={name != null ? chat.state.conn : null}
        onSubmit={submitName}
        onCancel={() => setView('chat')}
      />
    );
  }
  return <Chat state={chat.state} actions={chat.actions} onChangeName={() => setView('register')} />;
}
