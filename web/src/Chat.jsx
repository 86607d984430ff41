import { memo, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import ConnState from './ConnState.jsx';
import { checkRoom } from './validate.js';

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

function isoTime(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function typingText(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names.length} people are typing…`;
}

const Message = memo(function Message({ m, own }) {
  return (
    <li
      className={`msg${own ? ' own' : ''}`}
      data-testid="message"
      data-id={m.id}
      data-user={m.user}
      data-status="delivered"
    >
      <div className="meta">
        <span className="author" data-testid="message-author">
          {m.user}
        </span>
        <time dateTime={isoTime(m.ts)} title={m.ts ? fullFmt.format(new Date(m.ts)) : undefined} data-testid="message-time">
          {formatTime(m.ts)}
        </time>
        {own && (
          <span className="status delivered" data-testid="message-status" title="Delivered" aria-label="delivered">
            ✓
          </span>
        )}
      </div>
      <div className="text" data-testid="message-text">
        {m.text}
      </div>
    </li>
  );
});

function PendingMessage({ p, onRetry, onDiscard }) {
  const failed = p.status === 'failed';
  const retrying = p.status === 'retrying';
  const status = failed ? 'failed' : retrying ? 'retrying' : 'pending';
  return (
    <li className={`msg own pending${failed ? ' failed' : ''}`} data-testid="message" data-status={status} data-user={p.user}>
      <div className="meta">
        <span className="author" data-testid="message-author">
          {p.user}
        </span>
        <time dateTime={isoTime(p.ts)} data-testid="message-time">
          {formatTime(p.ts)}
        </time>
        {failed ? (
          <span className="status failed" data-testid="message-status">
            not sent: {p.error}
          </span>
        ) : retrying ? (
          <span className="status retrying" data-testid="message-status" title={p.error}>
            not sent, retrying
          </span>
        ) : (
          <span className="status sending" data-testid="message-status" aria-label="sending">
            sending…
          </span>
        )}
      </div>
      <div className="text" data-testid="message-text">
        {p.text}
      </div>
      {retrying && (
        <div className="row small">
          <button type="button" onClick={() => onDiscard(p.cid)}>
            Discard
          </button>
        </div>
      )}
      {failed && (
        <div className="row small">
          <button type="button" onClick={() => onRetry(p.cid)}>
            Retry
          </button>
          <button type="button" onClick={() => onDiscard(p.cid)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}

function MessageList({ state, actions }) {
  const { items, pending, me, room, hasMore, loadingOlder, joined, joinError, conn } = state;
  const mine = pending.filter((p) => p.room === room);
  const boxRef = useRef(null);
  const stick = useRef(true); // follow new messages while the view is at the bottom
  const prev = useRef({ first: null, count: 0, height: 0, top: 0, room: null });

  const firstKey = items.length ? items[0].key ?? items[0].id : null;
  const total = items.length + mine.length;

  useLayoutEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const p = prev.current;
    if (p.room !== room) stick.current = true;
    if (p.room === room && p.first !== null && firstKey !== p.first && p.count > 0 && total > p.count && !stick.current) {
      // older messages were put on top: keep what the reader was looking at in place
      box.scrollTop = box.scrollHeight - p.height + p.top;
    } else if (stick.current || (mine.length && total > p.count)) {
      box.scrollTop = box.scrollHeight;
    }
    prev.current = { first: firstKey, count: total, height: box.scrollHeight, top: box.scrollTop, room };
  });

  function onScroll() {
    const box = boxRef.current;
    if (!box) return;
    stick.current = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    prev.current.top = box.scrollTop;
    prev.current.height = box.scrollHeight;
    if (box.scrollTop < 80 && hasMore && !loadingOlder) actions.loadOlder();
  }

  // If the first page does not fill the box, no scroll event would ever ask for more.
  useEffect(() => {
    const box = boxRef.current;
    if (box && hasMore && !loadingOlder && joined && box.scrollHeight <= box.clientHeight + 10) actions.loadOlder();
  }, [hasMore, loadingOlder, joined, items.length, actions]);

  return (
    <div className="messages" ref={boxRef} onScroll={onScroll} data-testid="message-list" role="log" aria-label={`Messages in #${room}`} tabIndex={0}>
      <div className="history-top">
        {hasMore ? (
          <button type="button" onClick={actions.loadOlder} disabled={loadingOlder} className="link">
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        ) : (
          joined && <span className="muted small">{items.length ? `This is the start of #${room}.` : `No messages in #${room} yet. Say hello!`}</span>
        )}
        {!joined && !joinError && conn === 'connected' && <span className="muted small">Loading…</span>}
        {joinError && (
          <span className="form-error small" role="alert">
            Could not join #{room}: {joinError}
          </span>
        )}
      </div>
      <ol className="msg-list">
        {items.map((m) =>
          m.notice ? (
            <li key={m.key} className="notice" data-testid="notice">
              {m.text}
            </li>
          ) : (
            <Message key={m.id} m={m} own={m.user === me} />
          ),
        )}
        {mine.map((p) => (
          <PendingMessage key={p.cid} p={p} onRetry={actions.retry} onDiscard={actions.discard} />
        ))}
      </ol>
    </div>
  );
}

function Composer({ room, actions }) {
  const [text, setText] = useState('');
  const id = useId();
  const ref = useRef(null);

  useEffect(() => {
    setText('');
    ref.current?.focus();
  }, [room]);

  function submit(e) {
    e?.preventDefault();
    const t = text.trim();
    if (!t) return;
    actions.send(t);
    setText('');
    ref.current?.focus();
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={1}
        placeholder={`Message #${room}`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          actions.noteTyping(e.target.value.trim());
        }}
        onBlur={actions.stopTyping}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
        }}
        data-testid="message-input"
      />
      <button type="submit" className="primary" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}

function Sidebar({ state, actions, open, onClose }) {
  const { rooms, room, online, me } = state;
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

  const list = rooms.includes(room) ? rooms : [...rooms, room].sort();
  const people = [...online].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));

  return (
    <aside className={`sidebar${open ? ' open' : ''}`} id="sidebar" aria-label="Rooms and people">
      <nav aria-label="Rooms">
        <h2>Rooms</h2>
        <ul className="rooms" data-testid="room-list">
          {list.map((r) => (
            <li key={r}>
              <button
                type="button"
                className={r === room ? 'room current' : 'room'}
                aria-current={r === room ? 'page' : undefined}
                data-testid="room"
                data-room={r}
                onClick={() => {
                  actions.switchRoom(r);
                  onClose();
                }}
              >
                # {r}
              </button>
            </li>
          ))}
        </ul>
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
      <section aria-label="Online">
        <h2>Online ({online.length})</h2>
        <ul className="online" data-testid="online-list">
          {people.map((n) => (
            <li key={n} data-testid="online-user" data-user={n}>
              <span className="dot" aria-hidden="true" />
              {n}
              {n === me && <span className="muted"> (you)</span>}
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

export default function Chat({ state, actions, onChangeName }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const typing = Object.keys(state.typing).sort();

  return (
    <div className="chat">
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Rooms
        </button>
        <h1 className="room-title" data-testid="current-room">
          # {state.room}
        </h1>
        <ConnState conn={state.conn} />
        <div className="me">
          <span className="muted small">Signed in as</span>{' '}
          <strong data-testid="my-name">{state.me}</strong>
        </div>
        <button type="button" onClick={onChangeName}>
          Change name
        </button>
      </header>
      {state.banner && (
        <div className="banner" role="alert" data-testid="error-banner">
          <span>{state.banner.text}</span>
          <button type="button" className="link" onClick={actions.dismissBanner}>
            Dismiss
          </button>
        </div>
      )}
      <div className="body">
        <Sidebar state={state} actions={actions} open={menuOpen} onClose={() => setMenuOpen(false)} />
        {menuOpen && <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />}
        <main className="room-pane">
          <MessageList state={state} actions={actions} />
          <div className="typing" data-testid="typing-indicator" aria-live="polite">
            {typingText(typing)}
          </div>
          <Composer room={state.room} actions={actions} />
        </main>
      </div>
    </div>
  );
}
