// What the browser remembers: the studio's API token and the stream keys of rooms created here (the
// node shows a key only when a room is created or its key rotated, and stores only its hash).

const TOKEN_KEY = "onair.token";
const KEYS_KEY = "onair.stream_keys";
const NICK_KEY = "onair.nick";

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode with a strict policy)
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

export const getToken = (): string | null => read(TOKEN_KEY);
export const setToken = (token: string | null): void => write(TOKEN_KEY, token);

export function getStreamKey(roomId: string): string | null {
  try {
    const map = JSON.parse(read(KEYS_KEY) ?? "{}") as Record<string, string>;
    return map[roomId] ?? null;
  } catch {
    return null;
  }
}

export function setStreamKey(roomId: string, key: string): void {
  let map: Record<string, string> = {};
  try {
    map = JSON.parse(read(KEYS_KEY) ?? "{}") as Record<string, string>;
  } catch {
    map = {};
  }
  map[roomId] = key;
  write(KEYS_KEY, JSON.stringify(map));
}

export const getNick = (): string => read(NICK_KEY) ?? "";
export const setNick = (nick: string): void => write(NICK_KEY, nick);
