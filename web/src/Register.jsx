import { useEffect, useId, useRef, useState } from 'react';
import { MAX_NAME } from './validate.js';
import ConnState from './ConnState.jsx';

export default function Register({ initial, changing, error, conn, onSubmit, onCancel, onSignOut }) {
  const [value, setValue] = useState(initial);
  const [message, setMessage] = useState(error);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const inputRef = useRef(null);

  useEffect(() => setMessage(error), [error]);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const err = await onSubmit(value);
      setMessage(err);
      if (err) inputRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="register">
      <form className="register-card" onSubmit={submit} noValidate aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`}>{changing ? 'Change your name' : 'Switchboard chat'}</h1>
        <p className="muted">
          {changing
            ? 'Everyone in your rooms will see the new name.'
            : 'Choose the name the others will see. This browser remembers you until you sign out.'}
        </p>
        <label htmlFor={inputId}>Display name</label>
        <input
          id={inputId}
          ref={inputRef}
          name="name"
          type="text"
          autoComplete="nickname"
          autoCapitalize="off"
          spellCheck="false"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (message) setMessage(null);
          }}
          aria-invalid={message ? 'true' : 'false'}
          aria-describedby={message ? `${errorId} ${hintId}` : hintId}
          data-testid="name-input"
        />
        <p id={hintId} className="hint">
          1–{MAX_NAME} characters.
        </p>
        {message && (
          <p id={errorId} className="form-error" role="alert" data-testid="name-error">
            {message}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {changing ? 'Save' : 'Connect'}
          </button>
          {changing && (
            <button type="button" onClick={onCancel}>
              Back to chat
            </button>
          )}
          {changing && (
            <button type="button" className="danger" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
        {changing && conn && (
          <p className="muted small">
            Connection: <ConnState conn={conn} />
          </p>
        )}
      </form>
    </main>
  );
}
