const LABELS = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export default function ConnState({ conn }) {
  const label = LABELS[conn] ?? conn;
  return (
    <span className={`conn conn-${conn}`} data-testid="connection-state" data-state={conn} role="status" title={label}>
      <span className="dot" aria-hidden="true" />
      <span className="conn-label">{label}</span>
    </span>
  );
}
