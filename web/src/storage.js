// localStorage may be unavailable (private mode, disabled storage): fail soft.
const IDENTITY_KEY = 'switchboard.identity'; // {id, name, token}
const NAME_KEY = 'switchboard.name'; // the name of an older version (no identity): a suggestion
const ROOM_KEY = 'switchboard.room';
const NOTIFY_KEY = 'switchboard.notify'; // "asked": the desktop-notification question was asked

function get(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function set(key, value) {
  try {
    if (value == null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    /* ignore */
  }
}

/** The identity kept on this browser, or null. */
export function loadIdentity() {
  try {
    const v = JSON.parse(get(IDENTITY_KEY) || 'null');
    if (v && Number(v.id) > 0 && typeof v.token === 'string' && typeof v.name === 'string') {
      return { id: Number(v.id), name: v.name, token: v.token };
    }
  } catch {
    /* not JSON: forget it */
  }
  return null;
}
export const saveIdentity = (identity) => set(IDENTITY_KEY, identity ? JSON.stringify(identity) : null);
export const loadName = () => get(NAME_KEY);
export const saveName = (name) => set(NAME_KEY, name);
export const loadRoom = () => get(ROOM_KEY);
export const saveRoom = (room) => set(ROOM_KEY, room);
export const notifyAsked = () => get(NOTIFY_KEY) === 'asked';
export const setNotifyAsked = () => set(NOTIFY_KEY, 'asked');

/** The id of the last message read in `room` on this browser (0: none). */
export const loadRead = (room) => Number(get(`switchboard.read.${room}`)) || 0;
export const saveRead = (room, id) => set(`switchboard.read.${room}`, String(id));
