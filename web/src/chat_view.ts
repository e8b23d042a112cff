// The chat panel shared by the watch page and the studio: messages with history and recovery,
// reactions, presence, and moderation controls for moderators, DJs and admins.
import { ChatClient, type ChatAuth, type ChatMessage, type ChatUser, type ServerFrame } from "./chat";
import { announce, field, h, replaceChildren } from "./dom";

/** The node's default reactions ([chat] reactions); the node refuses others with unknown_reaction. */
export const REACTIONS = ["👍", "❤️", "🔥", "😂", "👏", "🎉", "😮", "😢"];

const MODERATOR_ROLES = new Set(["moderator", "dj", "admin"]);

const ERROR_TEXT: Record<string, string> = {
  rate_limited: "Slow down a little.",
  slow_mode: "Slow mode is on: wait a moment before the next message.",
  muted: "You are muted in this room.",
  banned: "You are banned from this room.",
  forbidden: "Only moderators can do that.",
  message_too_long: "That message is too long.",
  empty_message: "Type a message first.",
  not_stored: "The message could not be stored; try again.",
  unknown_reaction: "That reaction is not available here.",
};

export interface ChatPanel {
  element: HTMLElement;
  close(): void;
  /** Called with each presence count (viewers in the room). */
  onPresence?: (viewers: number) => void;
  /** Called when the room goes live, ends or becomes ready again. */
  onSystem?: (event: string) => void;
}

function formatTime(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function chatPanel(roomId: string, auth: ChatAuth): ChatPanel {
  const status = h("p", { class: "chat-status", role: "status", "aria-live": "polite" }, "Connecting to chat…");
  const presence = h("span", { class: "presence", "data-testid": "presence" }, "");
  const list = h("ol", { class: "chat-list", "aria-label": "Chat messages", "aria-live": "polite", "aria-relevant": "additions" });
  const notice = h("p", { class: "chat-notice", role: "alert", hidden: true });
  const reactionsOut = h("div", { class: "reaction-burst", "aria-live": "off", "aria-hidden": "true" });
  const modBar = h("div", { class: "mod-bar", hidden: true, role: "group", "aria-label": "Moderation" });
  const rows = new Map<number, HTMLLIElement>();
  let you: ChatUser | null = null;
  let isMod = false;

  const input = h("input", {
    type: "text",
    maxlength: 500,
    autocomplete: "off",
    placeholder: "Say something nice",
    "data-testid": "chat-input",
  });
  const sendBtn = h("button", { type: "submit", class: "primary" }, "Send");
  const form = h("form", { class: "chat-form" }, field("Message", input), sendBtn);

  const reactionBar = h(
    "div",
    { class: "reaction-bar", role: "group", "aria-label": "React" },
    ...REACTIONS.map((emoji) =>
      h(
        "button",
        {
          type: "button",
          class: "reaction",
          "aria-label": `React with ${emoji}`,
          onclick: () => {
            if (!client.send({ type: "reaction", emoji })) showNotice("Chat is not connected.");
          },
        },
        emoji,
      ),
    ),
  );

  const element = h(
    "section",
    { class: "chat", "aria-label": "Chat" },
    h("div", { class: "chat-head" }, h("h2", {}, "Chat"), presence),
    status,
    modBar,
    list,
    reactionsOut,
    notice,
    reactionBar,
    form,
  );

  function showNotice(text: string): void {
    notice.textContent = text;
    notice.hidden = false;
    window.setTimeout(() => {
      if (notice.textContent === text) notice.hidden = true;
    }, 5000);
  }

  function addMessage(m: ChatMessage): void {
    if (rows.has(m.seq)) return; // replays after a reconnect may repeat what we already show
    const row = h(
      "li",
      { class: `chat-msg role-${m.user.role}`, "data-seq": m.seq },
      h("time", { datetime: m.ts }, formatTime(m.ts)),
      " ",
      h("strong", { class: "nick", title: m.user.id }, m.user.name),
      m.user.role !== "viewer" ? h("span", { class: "role-tag" }, m.user.role) : null,
      " ",
      h("span", { class: "text" }, m.text),
    );
    if (isMod) row.appendChild(modControls(m));
    // Keep order by seq even when a replay arrives after newer live messages.
    let before: HTMLLIElement | null = null;
    for (const [seq, r] of rows) if (seq > m.seq && (!before || Number(before.dataset["seq"]) > seq)) before = r;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.insertBefore(row, before);
    rows.set(m.seq, row);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function modControls(m: ChatMessage): HTMLElement {
    const mine = you !== null && m.user.id === you.id;
    return h(
      "span",
      { class: "msg-actions" },
      h("button", { type: "button", class: "small", "aria-label": `Delete message from ${m.user.name}`, onclick: () => client.send({ type: "delete", seq: m.seq }) }, "Delete"),
      mine
        ? null
        : h("button", { type: "button", class: "small", "aria-label": `Mute ${m.user.name} for 10 minutes`, onclick: () => client.send({ type: "mute", user: m.user.id, seconds: 600 }) }, "Mute"),
      mine
        ? null
        : h("button", { type: "button", class: "small danger", "aria-label": `Ban ${m.user.name}`, onclick: () => client.send({ type: "ban", user: m.user.id }) }, "Ban"),
    );
  }

  function buildModBar(slow: number): void {
    const slowSelect = h(
      "select",
      {
        onchange: (ev: Event) => client.send({ type: "slow_mode", seconds: Number((ev.target as HTMLSelectElement).value) }),
      },
      ...[0, 5, 10, 30, 60].map((s) => h("option", { value: s, selected: s === slow }, s === 0 ? "Off" : `${s} s`)),
    );
    slowSelect.dataset["testid"] = "slow-mode";
    const unbanInput = h("input", { type: "text", placeholder: "anon:… or tok:…", autocomplete: "off" });
    replaceChildren(
      modBar,
      field("Slow mode", slowSelect),
      h("button", { type: "button", class: "danger", onclick: () => client.send({ type: "clear" }) }, "Clear chat"),
      h(
        "form",
        {
          class: "inline-form",
          onsubmit: (ev: Event) => {
            ev.preventDefault();
            const user = unbanInput.value.trim();
            if (user) client.send({ type: "unban", user });
            unbanInput.value = "";
          },
        },
        field("Unban user id", unbanInput),
        h("button", { type: "submit" }, "Unban"),
      ),
    );
    modBar.hidden = false;
  }

  function showReactions(counts: Record<string, number>): void {
    for (const [emoji, n] of Object.entries(counts)) {
      const bubble = h("span", { class: "burst" }, `${emoji} ${n > 1 ? `×${n}` : ""}`);
      reactionsOut.appendChild(bubble);
      window.setTimeout(() => bubble.remove(), 2500);
    }
  }

  function setPresence(n: number): void {
    presence.textContent = `${n} here`;
    panel.onPresence?.(n);
  }

  function onFrame(f: ServerFrame): void {
    switch (f.type) {
      case "welcome":
        you = f.you;
        isMod = MODERATOR_ROLES.has(f.you.role);
        element.dataset["role"] = f.you.role;
        if (isMod) buildModBar(f.slow_mode);
        setPresence(f.viewers);
        if (f.slow_mode > 0) showNotice(`Slow mode: one message every ${f.slow_mode} s.`);
        break;
      case "history":
        if (!f.replay) {
          rows.forEach((r) => r.remove());
          rows.clear();
        }
        f.messages.forEach(addMessage);
        break;
      case "gap":
        showNotice("Some messages were missed while you were away.");
        break;
      case "msg":
        addMessage(f);
        break;
      case "deleted": {
        rows.get(f.seq)?.remove();
        rows.delete(f.seq);
        break;
      }
      case "cleared":
        for (const [seq, r] of rows)
          if (seq <= f.up_to) {
            r.remove();
            rows.delete(seq);
          }
        showNotice("The chat was cleared by a moderator.");
        break;
      case "reactions":
        showReactions(f.counts);
        break;
      case "presence":
        setPresence(f.viewers);
        break;
      case "moderation": {
        const who = you && f.user === you.id ? "You were" : `${f.user} was`;
        const what = f.action === "mute" ? "muted" : f.action === "ban" ? "banned" : "unbanned";
        showNotice(`${who} ${what}.`);
        break;
      }
      case "slow_mode":
        showNotice(f.seconds > 0 ? `Slow mode on: one message every ${f.seconds} s.` : "Slow mode is off.");
        break;
      case "system":
        panel.onSystem?.(f.event);
        break;
      case "error":
        showNotice(ERROR_TEXT[f.code] ?? f.message);
        break;
      case "ack":
      case "pong":
        break;
    }
  }

  const client = new ChatClient(roomId, auth, {
    frame: onFrame,
    state: (s, detail) => {
      element.dataset["state"] = s;
      status.textContent =
        s === "open" ? `Chatting as ${you?.name ?? "guest"}` : s === "closed" ? `Chat closed: ${detail}` : `Chat ${detail}`;
      sendBtn.disabled = s !== "open";
      if (s === "reconnecting" || s === "offline") announce(`Chat ${detail}`);
    },
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!client.connected) return showNotice("Chat is not connected; your message was not sent.");
    client.say(text);
    input.value = "";
  });

  const panel: ChatPanel = { element, close: () => client.close() };
  client.connect();
  return panel;
}
