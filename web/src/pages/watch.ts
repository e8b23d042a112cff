// Watch: the LL-HLS player, the room's state in words (offline, live, ended), and chat.
import { ApiError, getRoom, hlsPath, type Room } from "../api";
import { chatPanel, type ChatPanel } from "../chat_view";
import { field, h, replaceChildren, statusBadge, viewersText } from "../dom";
import { createPlayer, type Player } from "../player";
import { focusHeading, type Page } from "../router";
import { getNick, setNick } from "../session";

const POLL_MS = 3000;

export const watchPage: Page = (main, params) => {
  const id = params["id"] ?? "";
  document.title = "Watch · onair";
  const title = h("h1", {}, "Loading…");
  const badge = h("span", {});
  const viewers = h("span", { class: "viewers", "data-testid": "room-viewers" });
  const description = h("p", { class: "description" });
  const stage = h("div", { class: "stage" });
  const stateMsg = h("div", { class: "state-message", role: "status", "aria-live": "polite", "data-testid": "room-state" });
  const chatSlot = h("div", { class: "chat-slot" });
  const renditions = h("p", { class: "renditions" });

  replaceChildren(
    main,
    h(
      "div",
      { class: "watch-layout" },
      h(
        "div",
        { class: "watch-main" },
        h("div", { class: "room-head" }, title, h("div", { class: "room-head-meta" }, badge, viewers)),
        stage,
        stateMsg,
        description,
        renditions,
      ),
      chatSlot,
    ),
  );

  let room: Room | null = null;
  let player: Player | null = null;
  let chat: ChatPanel | null = null;
  let timer: number | null = null;
  let left = false;

  function setState(text: string, kind: string): void {
    stateMsg.textContent = text;
    stateMsg.dataset["state"] = kind;
    stateMsg.hidden = text === "";
  }

  function render(r: Room): void {
    const first = room === null;
    room = r;
    title.textContent = r.title;
    document.title = `${r.title} · onair`;
    replaceChildren(badge, statusBadge(r.status));
    viewers.textContent = viewersText(r.viewers);
    description.textContent = r.description;
    renditions.textContent = r.status === "live" && r.renditions.length ? `Renditions: ${r.renditions.join(", ")}` : "";
    if (first) focusHeading(main);

    // Start the player once the packager has published a rendition; until then the master playlist
    // would answer 404 and hls.js would give up.
    const playable = r.status === "live" && r.renditions.length > 0;
    if (playable && !player) {
      player = createPlayer(hlsPath(r.id), { label: `Live: ${r.title}`, audioOnly: r.kind === "audio" });
      replaceChildren(stage, player.element);
    } else if (!playable && player && r.status !== "live") {
      player.destroy();
      player = null;
      stage.textContent = "";
    }
    if (r.status === "live") setState(playable ? "" : "Going live…", playable ? "live" : "starting");
    else if (r.status === "ready") setState("This room is offline. Playback starts by itself when the show begins.", "offline");
    else setState("This show has ended. Thanks for watching!", "ended");
  }

  async function poll(): Promise<void> {
    try {
      render(await getRoom(id));
      if (!chat) startChat();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        title.textContent = "Room not found";
        setState("There is no room at this address. It may have been deleted.", "missing");
        focusHeading(main);
        return stop();
      }
      setState(e instanceof ApiError && e.status === 0 ? "The node cannot be reached — retrying…" : "Cannot load this room — retrying…", "error");
    }
  }

  function startChat(): void {
    if (chat) return;
    const nickInput = h("input", { type: "text", maxlength: 32, value: getNick(), autocomplete: "nickname", "data-testid": "nick" });
    const join = (nick: string) => {
      setNick(nick);
      chat = chatPanel(id, { nick });
      chat.onSystem = () => void poll();
      replaceChildren(chatSlot, chat.element);
    };
    const form = h(
      "form",
      {
        class: "chat-join",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const nick = nickInput.value.trim();
          if (nick) join(nick);
        },
      },
      h("h2", {}, "Chat"),
      field("Your name", nickInput, "Shown next to your messages. No account needed."),
      h("button", { type: "submit", class: "primary" }, "Join chat"),
    );
    replaceChildren(chatSlot, form);
    chat = { element: form, close: () => undefined };
    // Rejoin under the remembered name at once.
    if (getNick()) join(getNick());
  }

  function stop(): void {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  void poll();
  timer = window.setInterval(() => {
    if (!left && !document.hidden) void poll();
  }, POLL_MS);
  return () => {
    left = true;
    stop();
    player?.destroy();
    chat?.close();
  };
};
