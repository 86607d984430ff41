// Client-side checks mirroring the server's rules, so a person gets a clear message at once.

// C0 and C1 control characters plus DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const MAX_NAME = 32;
export const ROOM_RE = /^[a-z0-9_-]{1,32}$/;
export const DEFAULT_ROOM = 'lobby';

/** Returns {name} (trimmed) when valid, else {error}. */
export function checkName(raw) {
  const name = String(raw ?? '').trim();
  if (name.length === 0) return { error: 'Please enter a display name.' };
  if (CONTROL.test(name)) return { error: 'The name must not contain control characters.' };
  if ([...name].length > MAX_NAME) {
    return { error: `The name is too long: at most ${MAX_NAME} characters.` };
  }
  return { name };
}

/** Returns {room} when valid, else {error}. */
export function checkRoom(raw) {
  const room = String(raw ?? '').trim();
  if (room.length === 0) return { error: 'Please enter a room name.' };
  if (!ROOM_RE.test(room)) {
    return {
      error: 'Room names use 1–32 lowercase letters, digits, "-" or "_".',
    };
  }
  return { room };
}

/** The longest message the server takes, in code points (store::max_text_code_points). */
export const MAX_TEXT = 4000;
/** The counter shows from here on. */
export const COUNT_FROM = 3500;

export const codePoints = (text) => [...text].length;
