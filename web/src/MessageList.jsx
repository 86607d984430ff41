import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import Linkified from './Linkified.jsx';
import { saveRead } from './storage.js';
import { lastSeenId } from './chat/messages.js';

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const GROUP_MS = 5 * 60 * 1000; // one author's messages within this are grouped under one name

function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

function isoTime(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function dayLabel(ts) {
  const d = new Date(ts);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return 'Today';
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFmt.format(d);
}

const authorKey = (m) => (m.userId ? `u${m.userId}` : `g${m.user}`);

/** Names shared by more than one person: they get a "#id" so that they stay distinct. */
export function ambiguousNames(items, online) {
  const ids = new Map();
  const note = (name, key) => {
    if (!ids.has(name)) ids.set(name, new Set());
    ids.get(name).add(key);
  };
  for (const m of items) if (!m.notice) note(m.user, authorKey(m));
  for (const p of online) note(p.name, p.id ? `u${p.id}` : `g${p.name}`);
  return new Set([...ids].filter(([, keys]) => keys.size > 1).map(([name]) => name));
}

export function Author({ name, id, guest, ambiguous, hidden }) {
  return (
    <span className={hidden ? 'author visually-hidden' : 'author'} data-testid="message-author">
      {name}
      {guest ? (
        <span className="badge guest" data-testid="guest-badge">
          {' '}
          guest
        </span>
      ) : (
        ambiguous && (
          <span className="badge tag" data-testid="user-tag">
            {' '}
            #{id}
          </span>
        )
      )}
    </span>
  );
}

const Message = memo(function Message({ m, own, grouped, ambiguous }) {
  return (
    <li
      className={`msg${own ? ' own' : ''}${grouped ? ' grouped' : ''}${m.guest ? ' guest' : ''}`}
      data-testid="message"
      data-id={m.id}
      data-user={m.user}
      data-user-id={m.userId}
      data-grouped={grouped ? 'true' : undefined}
      data-status="delivered"
    >
      <div className="meta">
        <Author name={m.user} id={m.userId} guest={m.guest} ambiguous={ambiguous} hidden={grouped} />
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
        <Linkified text={m.text} />
      </div>
    </li>
  );
});

function PendingMessage({ p, ahead, onRetry, onDiscard }) {
  const failed = p.status === 'failed';
  const retrying = p.status === 'retrying';
  const status = failed ? 'failed' : retrying ? 'retrying' : p.status === 'sending' ? 'pending' : 'queued';
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
        ) : p.status === 'sending' ? (
          <span className="status sending" data-testid="message-status" aria-label="sending">
            sending…
          </span>
        ) : (
          <span className="status queued" data-testid="message-status">
            {ahead > 0 ? `queued (${ahead} ahead)` : 'queued'}
          </span>
        )}
      </div>
      <div className="text" data-testid="message-text">
        {p.text}
      </div>
      {(failed || retrying) && (
        <div className="row small">
          {failed && (
            <button type="button" onClick={() => onRetry(p.cid)}>
              Retry
            </button>
          )}
          <button type="button" onClick={() => onDiscard(p.cid)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}

/** The rows to show: messages and notices, with day separators and the "new messages" line. */
function rows(items, lastRead, meId) {
  const out = [];
  let prev = null;
  let prevDay = null;
  let dividerDone = !lastRead;
  for (const m of items) {
    if (m.notice) {
      out.push({ kind: 'notice', m });
      prev = null;
      continue;
    }
    const day = m.ts ? new Date(m.ts).toDateString() : prevDay;
    if (day !== prevDay && m.ts) {
      out.push({ kind: 'day', key: `d${m.id}`, label: dayLabel(m.ts), ts: m.ts });
      prev = null;
      prevDay = day;
    }
    if (!dividerDone && m.id > lastRead && m.userId !== meId) {
      out.push({ kind: 'new', key: 'new' });
      dividerDone = true;
      prev = null;
    }
    const grouped = prev && authorKey(prev) === authorKey(m) && prev.user === m.user && m.ts - prev.ts < GROUP_MS;
    out.push({ kind: 'msg', m, grouped: !!grouped });
    prev = m;
  }
  return out;
}

export default function MessageList({ state, actions }) {
  const { items, pending, me, room, hasMore, loadingOlder, joined, loaded, joinError, conn, online, lastRead } = state;
  const mine = pending.filter((p) => p.room === room);
  const boxRef = useRef(null);
  const stick = useRef(true); // follow new messages while the view is at the bottom
  const prev = useRef({ first: null, count: 0, height: 0, top: 0, room: null });
  const [below, setBelow] = useState(0); // messages that arrived while scrolled up
  const [atBottom, setAtBottom] = useState(true);
  const seenLast = useRef(0);

  const firstKey = items.length ? items[0].key ?? items[0].id : null;
  const total = items.length + mine.length;
  const latest = lastSeenId(items);
  const ambiguous = useMemo(() => ambiguousNames(items, online), [items, online]);
  const list = useMemo(() => rows(items, lastRead, me.id), [items, lastRead, me.id]);

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

  // Count what arrives below while the reader is scrolled up; remember what was read.
  useEffect(() => {
    if (stick.current) {
      setBelow(0);
      if (latest && joined) saveRead(room, latest);
    } else if (latest > seenLast.current && seenLast.current) {
      setBelow((n) => n + items.filter((m) => !m.notice && m.id > seenLast.current).length);
    }
    seenLast.current = latest;
  }, [latest, joined, room, items]);

  function jumpToLatest() {
    const box = boxRef.current;
    if (!box) return;
    stick.current = true;
    box.scrollTop = box.scrollHeight;
    setBelow(0);
    setAtBottom(true);
    box.focus();
  }

  function onScroll() {
    const box = boxRef.current;
    if (!box) return;
    stick.current = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    setAtBottom(stick.current);
    if (stick.current) {
      setBelow(0);
      if (latest) saveRead(room, latest);
    }
    prev.current.top = box.scrollTop;
    prev.current.height = box.scrollHeight;
    if (box.scrollTop < 80 && hasMore && !loadingOlder) actions.loadOlder();
  }

  // If the first page does not fill the box, no scroll event would ever ask for more.
  useEffect(() => {
    const box = boxRef.current;
    if (box && hasMore && !loadingOlder && joined && box.scrollHeight <= box.clientHeight + 10) actions.loadOlder();
  }, [hasMore, loadingOlder, joined, items.length, actions]);

  const shown = joined || loaded;
  return (
    <div className="messages-wrap">
      <div
        className="messages"
        ref={boxRef}
        onScroll={onScroll}
        data-testid="message-list"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={`Messages in #${room}`}
        tabIndex={0}
      >
        <div className="history-top">
          {hasMore ? (
            <button type="button" onClick={actions.loadOlder} disabled={loadingOlder || conn !== 'connected'} className="link">
              {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          ) : (
            shown && (
              <span className="muted small">{items.length ? `This is the start of #${room}.` : `No messages in #${room} yet. Say hello!`}</span>
            )
          )}
          {!joined && !joinError && conn === 'connected' && <span className="muted small">Loading…</span>}
          {joinError && (
            <span className="form-error small" role="alert">
              Could not join #{room}: {joinError}
            </span>
          )}
        </div>
        <ol className="msg-list">
          {list.map((r) => {
            if (r.kind === 'day') {
              return (
                <li key={r.key} className="day-separator" data-testid="day-separator">
                  <span>{r.label}</span>
                </li>
              );
            }
            if (r.kind === 'new') {
              return (
                <li key="new" className="new-divider" data-testid="new-messages-divider">
                  <span>New messages</span>
                </li>
              );
            }
            if (r.kind === 'notice') {
              return (
                <li key={r.m.key} className={`notice${r.m.presence ? ` presence ${r.m.presence}` : ''}`} data-testid="notice" data-kind={r.m.presence}>
                  {r.m.text}
                </li>
              );
            }
            const m = r.m;
            return <Message key={m.id} m={m} own={!m.guest && m.userId === me.id} grouped={r.grouped} ambiguous={ambiguous.has(m.user)} />;
          })}
          {mine.map((p, i) => (
            <PendingMessage key={p.cid} p={p} ahead={i} onRetry={actions.retry} onDiscard={actions.discard} />
          ))}
        </ol>
      </div>
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={jumpToLatest} data-testid="jump-to-latest">
          {below > 0 ? `${below} new ${below === 1 ? 'message' : 'messages'} · Jump to latest ↓` : 'Jump to latest ↓'}
        </button>
      )}
    </div>
  );
}
