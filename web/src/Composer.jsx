import { useEffect, useId, useRef, useState } from 'react';
import { codePoints, COUNT_FROM, MAX_TEXT } from './validate.js';

export default function Composer({ room, actions, queued }) {
  const [text, setText] = useState('');
  const [refused, setRefused] = useState(null);
  const id = useId();
  const counterId = useId();
  const ref = useRef(null);

  useEffect(() => {
    setText('');
    ref.current?.focus();
  }, [room]);

  const length = codePoints(text.trim());
  const over = length > MAX_TEXT;

  function submit(e) {
    e?.preventDefault();
    const t = text.trim();
    if (!t) return;
    if (codePoints(t) > MAX_TEXT) {
      // refused here, before sending: the server would refuse it too
      setRefused(`Too long to send: ${codePoints(t) - MAX_TEXT} characters over the limit of ${MAX_TEXT}.`);
      return;
    }
    actions.send(t);
    setText('');
    setRefused(null);
    ref.current?.focus();
  }

  return (
    <form className="composer" onSubmit={submit}>
      {queued > 0 && (
        <p className="send-queue small" data-testid="send-queue" role="status">
          {queued === 1 ? '1 message waiting to be sent' : `${queued} messages waiting to be sent, in order`}
        </p>
      )}
      {refused && (
        <p className="form-error small" role="alert" data-testid="composer-error">
          {refused}
        </p>
      )}
      <div className="composer-row">
        <label htmlFor={id} className="visually-hidden">
          Message
        </label>
        <textarea
          id={id}
          ref={ref}
          rows={1}
          placeholder={`Message #${room}`}
          value={text}
          aria-describedby={length >= COUNT_FROM ? counterId : undefined}
          aria-invalid={over ? 'true' : 'false'}
          onChange={(e) => {
            setText(e.target.value);
            if (refused && codePoints(e.target.value.trim()) <= MAX_TEXT) setRefused(null);
            actions.noteTyping(e.target.value.trim());
          }}
          onBlur={actions.stopTyping}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
          }}
          data-testid="message-input"
        />
        {length >= COUNT_FROM && (
          <span id={counterId} className={`counter${over ? ' over' : ''}`} data-testid="char-counter" aria-live="polite">
            {over ? `${length - MAX_TEXT} over` : `${MAX_TEXT - length} left`}
          </span>
        )}
        <button type="submit" className="primary" disabled={!text.trim() || over}>
          Send
        </button>
      </div>
    </form>
  );
}
