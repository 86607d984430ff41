import { useId, useState } from 'react';
import { checkRoom } from './validate.js';

function RoomList({ state, actions, onClose }) {
  const { rooms, room, unread } = state;
  const list = rooms.includes(room) ? rooms : [...rooms, room].sort();
  return (
    <ul className="rooms" data-testid="room-list">
      {list.map((r) => {
        const n = r === room ? 0 : unread[r] || 0;
        return (
          <li key={r}>
            <button
              type="button"
              className={r === room ? 'room current' : 'room'}
              aria-current={r === room ? 'page' : undefined}
              aria-label={n > 0 ? `# ${r}, ${n} unread` : undefined}
              data-testid="room"
              data-room={r}
              onClick={() => {
                actions.switchRoom(r);
                onClose();
              }}
            >
              <span># {r}</span>
              {n > 0 && (
                <span className="unread" data-testid="unread-count" aria-hidden="true">
                  {n}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function People({ state }) {
  const { online, me, conn, joined } = state;
  const known = conn === 'connected' && joined;
  const names = new Map();
  for (const p of online) names.set(p.name, (names.get(p.name) || 0) + 1);
  const people = [...online].sort((a, b) => (a.id === me.id ? -1 : b.id === me.id ? 1 : a.name.localeCompare(b.name)));
  return (
    <section aria-label="Online">
      <h2>{known ? `Online (${online.length})` : 'Online (unknown)'}</h2>
      {!known && (
        <p className="muted small" data-testid="presence-unknown">
          Not connected: who is online is unknown.
        </p>
      )}
      <ul className={`online${known ? '' : ' unknown'}`} data-testid="online-list" data-known={known ? 'true' : 'false'}>
        {people.map((p) => (
          <li key={p.id ? `u${p.id}` : `g${p.name}`} data-testid="online-user" data-user={p.name} data-user-id={p.id}>
            <span className="dot" aria-hidden="true" />
            {p.name}
            {p.guest && <span className="badge guest"> guest</span>}
            {!p.guest && names.get(p.name) > 1 && <span className="badge tag"> #{p.id}</span>}
            {p.id && p.id === me.id ? <span className="muted"> (you)</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function Sidebar({ state, actions, open, onClose }) {
  const [newRoom, setNewRoom] = useState('');
  const [error, setError] = useState(null);
  const id = useId();

  function create(e) {
    e.preventDefault();
    const got = checkRoom(newRoom.toLowerCase());
    if (got.error) {
      setError(got.error);
      return;
    }
    setError(null);
    setNewRoom('');
    actions.switchRoom(got.room);
    onClose();
  }

  return (
    <aside className={`sidebar${open ? ' open' : ''}`} id="sidebar" aria-label="Rooms and people">
      <nav aria-label="Rooms">
        <h2>Rooms</h2>
        <RoomList state={state} actions={actions} onClose={onClose} />
        <form className="create-room" onSubmit={create} noValidate>
          <label htmlFor={id}>New room</label>
          <div className="row">
            <input
              id={id}
              type="text"
              value={newRoom}
              placeholder="e.g. random"
              autoCapitalize="off"
              spellCheck="false"
              maxLength={32}
              onChange={(e) => {
                setNewRoom(e.target.value);
                setError(null);
              }}
              aria-invalid={error ? 'true' : 'false'}
              data-testid="new-room-input"
            />
            <button type="submit">Create</button>
          </div>
          {error && (
            <p className="form-error small" role="alert">
              {error}
            </p>
          )}
        </form>
      </nav>
      <People state={state} />
    </aside>
  );
}
