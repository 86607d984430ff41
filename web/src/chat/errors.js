export function errorText(e) {
  if (!e) return 'unknown error';
  if (typeof e === 'string') return e;
  if (e.message) return e.message;
  if (e.error) return String(e.error);
  return String(e);
}

export const ACK_TIMEOUT = 10000;
