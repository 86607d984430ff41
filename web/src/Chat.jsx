import { useState } from 'react';
import ConnState from './ConnState.jsx';
import MessageList from './MessageList.jsx';
import Composer from './Composer.jsx';
import Sidebar from './Sidebar.jsx';

function typingText(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names.length} people are typing…`;
}

function ConnectionBanner({ conn }) {
  if (conn === 'connected' || conn === 'connecting') return null;
  return (
    <div className={`banner conn-banner ${conn}`} role="alert" data-testid="connection-banner">
      <strong>{conn === 'offline' ? 'You are offline.' : 'Connection lost — reconnecting…'}</strong>{' '}
      <span>Messages you send wait here and go out, in order, once the connection is back.</span>
    </div>
  );
}

function NotificationOffer({ notifications }) {
  if (!notifications?.offer) return null;
  return (
    <div className="banner offer" data-testid="notification-offer">
      <span>Get a desktop notification for messages in other rooms?</span>
      <span className="row">
        <button type="button" onClick={notifications.ask}>
          Turn on
        </button>
        <button type="button" className="link" onClick={notifications.dismiss}>
          No thanks
        </button>
      </span>
    </div>
  );
}

export default function Chat({ state, actions, onChangeName, onSignOut, notifications }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const typing = Object.values(state.typing)
    .map((t) => t.name)
    .sort();
  const queued = state.pending.filter((p) => p.room === state.room && p.status !== 'failed').length;

  return (
    <div className="chat">
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
          Rooms
        </button>
        <h1 className="room-title" data-testid="current-room">
          # {state.room}
        </h1>
        <ConnState conn={state.conn} />
        <div className="me">
          <span className="muted small">Signed in as</span> <strong data-testid="my-name">{state.me.name}</strong>
        </div>
        <button type="button" onClick={onChangeName}>
          Change name
        </button>
        {/* on a phone, "Sign out" is on the change-name page (room for the room's name) */}
        <button type="button" className="topbar-signout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <ConnectionBanner conn={state.conn} />
      <NotificationOffer notifications={notifications} />
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
          <Composer room={state.room} actions={actions} queued={queued} />
        </main>
      </div>
    </div>
  );
}
