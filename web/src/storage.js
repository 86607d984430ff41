// localStorage may be unavailable (private mode, disabled storage): fail soft.
const NAME_KEY = 'switchboard.name';
const ROOM_KEY = 'switchboard.room';

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

export const loadName = () => get(NAME_KEY);
export const saveName = (name) => set(NAME_KEY, name);
export const loadRoom = () => get(ROOM_KEY);
export const saveRoom = (room) => set(ROOM_KEY, room);
