// Registration: the server creates a user and gives a secret token, kept in localStorage.
import { errorText } from './chat/errors.js';

/** Resolves {identity} or {error}. */
export async function register(name) {
  let res;
  try {
    res = await fetch('/api/users', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  } catch {
    return { error: 'Could not reach the server. Check the connection and try again.' };
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (res.status === 201 && body && body.token) {
    return { identity: { id: Number(body.id), name: String(body.name), token: String(body.token) } };
  }
  if (res.status === 429) return { error: 'Too many new users from this address. Try again in a minute.' };
  return { error: `The server refused this name (${errorText(body?.error || res.status)}).` };
}
