// WebSocket chat client (docs/chat-protocol.md): join with a nick or a token, keep the highest seq
// seen, and after a drop reconnect with backoff and `since` so missed messages are replayed.

export interface ChatUser {
  id: string;
  name: string;
  role: "viewer" | "dj" | "moderator" | "admin" | string;
}

export interface ChatMessage {
  seq: number;
  ts: string;
  user: ChatUser;
  text: string;
}

export type ServerFrame =
  | { type: "welcome"; room: string; you: ChatUser; last_seq: number; viewers: number; slow_mode: number }
  | { type: "history"; replay: boolean; messages: ChatMessage[] }
  | { type: "gap"; since: number; oldest: number }
  | ({ type: "msg" } & ChatMessage)
  | { type: "ack"; client_id?: string; seq: number }
  | { type: "reactions"; counts: Record<string, number> }
  | { type: "presence"; viewers: number }
  | { type: "deleted"; seq: number; by: string }
  | { type: "cleared"; up_to: number; by: string }
  | { type: "moderation"; action: "mute" | "ban" | "unban"; user: string; until?: string; by: string }
  | { type: "slow_mode"; seconds: number; by: string }
  | { type: "system"; event: "live" | "ended" | "ready" }
  | { type: "error"; code: string; message: string }
  | { type: "pong" };

export type ChatState = "connecting" | "open" | "reconnecting" | "offline" | "closed";

export interface ChatAuth {
  nick?: string;
  token?: string;
}

export interface ChatHandlers {
  frame(f: ServerFrame): void;
  state(s: ChatState, detail: string): void;
}

/** Close codes after which retrying with the same token or room cannot help (chat-protocol.md 7). */
const FATAL: Record<number, string> = {
  4001: "your token was refused",
  4004: "this room does not exist",
  // Policy violation (RFC 6455 7.4.1): a ban, a flood, a refused origin. Reconnecting would only be
  // refused again, so the app stops and shows why.
  1008: "the chat closed this connection",
};

export class ChatClient {
  private ws: WebSocket | null = null;
  private lastSeq = 0;
  private attempt = 0;
  private timer: number | null = null;
  private stopped = false;
  private nextClientId = 1;
  private readonly onOnline = () => this.online();
  private readonly onOffline = () => this.offline();

  constructor(
    private readonly roomId: string,
    private readonly auth: ChatAuth,
    private readonly handlers: ChatHandlers,
  ) {
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  connect(): void {
    this.stopped = false;
    if (!navigator.onLine) return this.handlers.state("offline", "no network — chat reconnects when it is back");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/rooms/${encodeURIComponent(this.roomId)}/chat`);
    this.ws = ws;
    this.handlers.state(this.attempt === 0 ? "connecting" : "reconnecting", "connecting…");
    ws.onopen = () => {
      const join: Record<string, unknown> = { type: "join" };
      if (this.auth.token) join["token"] = this.auth.token;
      else if (this.auth.nick) join["nick"] = this.auth.nick;
      // Recovery: replay what we missed instead of the latest history.
      if (this.lastSeq > 0) join["since"] = this.lastSeq;
      ws.send(JSON.stringify(join));
    };
    ws.onmessage = (ev) => {
      let f: ServerFrame;
      try {
        f = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.track(f);
      this.handlers.frame(f);
      if (f.type === "welcome") {
        this.attempt = 0;
        this.handlers.state("open", "connected");
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      const fatal = FATAL[ev.code];
      if (fatal) {
        this.stopped = true;
        return this.handlers.state("closed", ev.reason ? `${fatal}: ${ev.reason}` : fatal);
      }
      if (!navigator.onLine) return this.handlers.state("offline", "no network — chat reconnects when it is back");
      this.schedule(ev.code === 1001 ? "the node is restarting" : "connection lost");
    };
  }

  /** Sends a chat message; its client_id comes back in the ack. */
  say(text: string): string {
    const clientId = `c-${this.nextClientId++}`;
    this.send({ type: "msg", text, client_id: clientId });
    return clientId;
  }

  send(frame: Record<string, unknown>): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
  }

  private track(f: ServerFrame): void {
    if (f.type === "msg" || f.type === "ack") this.lastSeq = Math.max(this.lastSeq, f.seq);
    else if (f.type === "history") for (const m of f.messages) this.lastSeq = Math.max(this.lastSeq, m.seq);
    else if (f.type === "welcome" && this.lastSeq === 0) this.lastSeq = f.last_seq;
  }

  private schedule(why: string): void {
    // 0.5 s doubling to 30 s, with jitter so a node restart is not met by every viewer at once.
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.handlers.state("reconnecting", `${why} — reconnecting in ${Math.ceil(delay / 1000)} s`);
    this.timer = window.setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private offline(): void {
    // A dead network often leaves the socket open for minutes; drop it now and catch up later.
    if (this.stopped) return;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.handlers.state("offline", "no network — chat reconnects when it is back");
  }

  private online(): void {
    if (this.stopped || this.ws) return;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.attempt = Math.max(this.attempt, 1);
    this.connect();
  }
}
