// Studio: sign in with an API token, create a room, get the RTMP server and stream key with encoder
// hints, preview the stream, moderate chat, watch the viewer count, and end the show.
import { ApiError, createRoom, endRoom, getRoom, hlsPath, listRooms, rotateKey, type Room, type RoomKind } from "../api";
import { chatPanel, type ChatPanel } from "../chat_view";
import { announce, copyText, field, h, replaceChildren, statusBadge, viewersText } from "../dom";
import { createPlayer, type Player } from "../player";
import { focusHeading, navigate, type Page } from "../router";
import { getStreamKey, getToken, setStreamKey, setToken } from "../session";

const POLL_MS = 2000;

function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return "The node refused this token. Sign in again with a valid token.";
    if (e.status === 403) return "This token may not manage this room.";
    return e.message;
  }
  return "Something went wrong.";
}

function signInForm(main: HTMLElement, after: () => void): void {
  const input = h("input", { type: "password", autocomplete: "off", spellcheck: "false", "data-testid": "token", required: true });
  const error = h("p", { class: "error", role: "alert" });
  replaceChildren(
    main,
    h("h1", {}, "Studio"),
    h("p", {}, "Sign in with an API token to create rooms and run your shows."),
    h(
      "form",
      {
        class: "card narrow",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const token = input.value.trim();
          if (!/^[\x21-\x7e]+$/.test(token)) {
            error.textContent = "Paste the whole token (it has no spaces).";
            return;
          }
          setToken(token);
          announce("Signed in");
          after();
        },
      },
      field("API token", input, "A dj or admin token: `onair token create --role dj --name you`, or the node's data/admin.token. It stays in this browser."),
      error,
      h("button", { type: "submit", class: "primary" }, "Sign in"),
    ),
  );
  focusHeading(main);
}

function copyRow(label: string, value: string, opts: { secret?: boolean; testid: string }): HTMLElement {
  const out = h("input", { type: opts.secret ? "password" : "text", readonly: true, value, "data-testid": opts.testid, class: "mono" });
  const copy = h("button", { type: "button", "aria-label": `Copy ${label.toLowerCase()}` }, "Copy");
  copy.addEventListener("click", () => void copyText(value, copy));
  const parts: HTMLElement[] = [field(label, out), copy];
  if (opts.secret) {
    const show = h("button", { type: "button", "aria-pressed": "false", "aria-label": `Show ${label.toLowerCase()}` }, "Show");
    show.addEventListener("click", () => {
      const visible = out.type === "text";
      out.type = visible ? "password" : "text";
      show.textContent = visible ? "Show" : "Hide";
      show.setAttribute("aria-pressed", String(!visible));
    });
    parts.push(show);
  }
  return h("div", { class: "copy-row" }, ...parts);
}

function encoderHints(server: string, key: string | null): HTMLElement {
  const keyText = key ?? "<stream key>";
  const ffmpeg =
    `ffmpeg -re -i input.mp4 -c:v libx264 -preset veryfast -tune zerolatency -g 60 ` +
    `-c:a aac -b:a 128k -f flv ${server}/${keyText}`;
  const ffmpegBox = h("pre", { class: "mono cmd", tabindex: 0, "aria-label": "ffmpeg command" }, ffmpeg);
  const copy = h("button", { type: "button", "aria-label": "Copy ffmpeg command" }, "Copy command");
  copy.addEventListener("click", () => void copyText(ffmpeg, copy));
  return h(
    "div",
    { class: "hints" },
    h(
      "details",
      { open: true },
      h("summary", {}, "OBS Studio"),
      h(
        "ol",
        {},
        h("li", {}, "Settings → Stream: Service “Custom…”, Server = the RTMP server above, Stream Key = your key."),
        h("li", {}, "Settings → Output (Advanced): keyframe interval 1 s, x264 tune “zerolatency” (or NVENC “low latency”), AAC audio."),
        h("li", {}, "Start Streaming. The preview here starts within a few seconds."),
      ),
    ),
    h(
      "details",
      {},
      h("summary", {}, "Larix Broadcaster (phone)"),
      h(
        "ol",
        {},
        h("li", {}, "Settings → Connections → New connection."),
        h("li", {}, `URL: ${server}/${keyText} (server and key in one URL), mode Audio + Video.`),
        h("li", {}, "Settings → Video: keyframe frequency 1 s; H.264. Audio: AAC."),
      ),
    ),
    h(
      "details",
      {},
      h("summary", {}, "ffmpeg"),
      ffmpegBox,
      copy,
      h("p", { class: "hint" }, "Lowest latency: keyframe every 1–2 s (-g), no B-frames (-tune zerolatency), AAC audio. Radio rooms: -vn."),
    ),
  );
}

/** The studio's room list and the create form. */
function studioHome(main: HTMLElement, token: string): () => void {
  document.title = "Studio · onair";
  const title = h("input", { type: "text", required: true, maxlength: 200, "data-testid": "room-title" });
  const description = h("textarea", { maxlength: 2000, rows: 2 });
  const tags = h("input", { type: "text", placeholder: "house, live" });
  const kind = h("select", {}, h("option", { value: "video" }, "Video"), h("option", { value: "audio" }, "Audio only (radio)"));
  const error = h("p", { class: "error", role: "alert" });
  const list = h("ul", { class: "studio-rooms", "aria-label": "Rooms" });
  const listStatus = h("p", { role: "status" }, "Loading rooms…");

  const form = h(
    "form",
    {
      class: "card",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        error.textContent = "";
        try {
          const room = await createRoom(token, {
            title: title.value.trim(),
            description: description.value.trim(),
            kind: kind.value as RoomKind,
            tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
          });
          if (room.stream_key) setStreamKey(room.id, room.stream_key);
          announce(`Room ${room.title} created`);
          navigate(`/studio/${encodeURIComponent(room.id)}`);
        } catch (e) {
          error.textContent = errorText(e);
          if (e instanceof ApiError && e.status === 401) setToken(null);
        }
      },
    },
    h("h2", {}, "New room"),
    field("Title", title),
    field("Description", description),
    field("Tags", tags, "Comma separated; viewers can search them."),
    field("Kind", kind),
    error,
    h("button", { type: "submit", class: "primary" }, "Create room"),
  );

  replaceChildren(
    main,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, "Studio"),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            setToken(null);
            announce("Signed out");
            navigate("/studio", true);
          },
        },
        "Sign out",
      ),
    ),
    h("div", { class: "studio-grid" }, form, h("section", { class: "card", "aria-label": "Your rooms" }, h("h2", {}, "Rooms"), listStatus, list)),
  );
  focusHeading(main);

  void (async () => {
    try {
      const [ready, live] = await Promise.all([listRooms({ status: "ready" }), listRooms({ status: "live" })]);
      const rooms = [...live.rooms, ...ready.rooms];
      listStatus.textContent = rooms.length ? "" : "No open rooms yet: create one.";
      replaceChildren(
        list,
        ...rooms.map((r) =>
          h(
            "li",
            {},
            h("a", { href: `/studio/${encodeURIComponent(r.id)}`, "data-link": true }, r.title),
            " ",
            statusBadge(r.status),
            h("span", { class: "muted" }, ` ${r.owner} · ${viewersText(r.viewers)}`),
          ),
        ),
      );
    } catch (e) {
      listStatus.textContent = errorText(e);
    }
  })();
  return () => undefined;
}

/** One room's control room. */
function studioRoom(main: HTMLElement, token: string, id: string): () => void {
  const heading = h("h1", {}, "Loading…");
  const badge = h("span", {});
  const viewers = h("strong", { "data-testid": "studio-viewers" }, "—");
  const setup = h("section", { class: "card", "aria-label": "Stream setup" });
  const preview = h("div", { class: "stage" });
  const previewState = h("p", { role: "status", class: "state-message" });
  const transcoding = h("p", { class: "renditions" });
  const endArea = h("div", { class: "end-area" });
  const chatSlot = h("div", { class: "chat-slot" });
  const error = h("p", { class: "error", role: "alert" });

  replaceChildren(
    main,
    h("p", {}, h("a", { href: "/studio", "data-link": true }, "← All rooms")),
    h(
      "div",
      { class: "watch-layout" },
      h(
        "div",
        { class: "watch-main" },
        h("div", { class: "room-head" }, heading, h("div", { class: "room-head-meta" }, badge, h("span", {}, "Viewers: ", viewers))),
        error,
        h("section", { "aria-label": "Preview" }, h("h2", {}, "Preview"), preview, previewState, transcoding),
        setup,
        endArea,
      ),
      chatSlot,
    ),
  );

  let room: Room | null = null;
  let player: Player | null = null;
  let chat: ChatPanel | null = null;

  function renderSetup(r: Room): void {
    const key = getStreamKey(r.id);
    const keyPart = key
      ? copyRow("Stream key", key, { secret: true, testid: "stream-key" })
      : h(
          "p",
          {},
          "The stream key is shown only once, when the room is created. ",
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                try {
                  const rotated = await rotateKey(token, r.id);
                  if (rotated.stream_key) setStreamKey(r.id, rotated.stream_key);
                  announce("New stream key made; the old one no longer works");
                  renderSetup(rotated);
                } catch (e) {
                  error.textContent = errorText(e);
                }
              },
            },
            "Make a new stream key",
          ),
        );
    replaceChildren(
      setup,
      h("h2", {}, "Go live"),
      copyRow("RTMP server", r.rtmp_url, { testid: "rtmp-url" }),
      keyPart,
      h("h3", {}, "Encoder settings"),
      encoderHints(r.rtmp_url, key),
    );
  }

  function renderEnd(r: Room): void {
    if (r.status === "ended") {
      replaceChildren(endArea, h("p", { class: "muted" }, "This show has ended. Create a new room for the next one."));
      return;
    }
    if (endArea.dataset["confirming"]) return;
    const endBtn = h("button", { type: "button", class: "danger" }, "End the show");
    endBtn.addEventListener("click", () => {
      endArea.dataset["confirming"] = "1";
      const yes = h("button", { type: "button", class: "danger" }, "Yes, end the show");
      const no = h("button", { type: "button" }, "Cancel");
      yes.addEventListener("click", async () => {
        try {
          const ended = await endRoom(token, r.id);
          delete endArea.dataset["confirming"];
          announce("The show has ended");
          render(ended);
        } catch (e) {
          error.textContent = errorText(e);
        }
      });
      no.addEventListener("click", () => {
        delete endArea.dataset["confirming"];
        if (room) renderEnd(room);
        endBtn.focus();
      });
      replaceChildren(endArea, h("p", {}, "End the show for everyone? Your encoder is disconnected and viewers see that it ended."), yes, " ", no);
      no.focus();
    });
    replaceChildren(endArea, endBtn);
  }

  function render(r: Room): void {
    const first = room === null;
    const statusChanged = room?.status !== r.status;
    room = r;
    heading.textContent = r.title;
    document.title = `Studio: ${r.title} · onair`;
    replaceChildren(badge, statusBadge(r.status));
    viewers.textContent = String(r.viewers);
    if (first) {
      renderSetup(r);
      focusHeading(main);
    }
    if (first || statusChanged) renderEnd(r);
    transcoding.textContent =
      r.status === "live"
        ? `Renditions: ${r.renditions.join(", ") || "—"}${r.transcoding ? ` · ${r.transcoding}` : ""}`
        : "";
    const playable = r.status === "live" && r.renditions.length > 0;
    if (playable && !player) {
      player = createPlayer(hlsPath(r.id), { label: `Preview of ${r.title}`, audioOnly: r.kind === "audio" });
      replaceChildren(preview, player.element);
    } else if (!playable && player && r.status !== "live") {
      player.destroy();
      player = null;
      preview.textContent = "";
    }
    previewState.textContent =
      r.status === "live"
        ? playable
          ? "You are live."
          : "Encoder connected — the first segment is on its way…"
        : r.status === "ready"
          ? "Waiting for your encoder. Start streaming to the server and key below."
          : "This show has ended.";
    if (!chat) {
      chat = chatPanel(r.id, { token });
      chat.onSystem = () => void poll();
      replaceChildren(chatSlot, chat.element);
    }
  }

  async function poll(): Promise<void> {
    try {
      render(await getRoom(id));
      error.textContent = "";
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        heading.textContent = "Room not found";
        window.clearInterval(timer);
        return;
      }
      error.textContent = errorText(e);
    }
  }

  void poll();
  const timer = window.setInterval(() => {
    if (!document.hidden) void poll();
  }, POLL_MS);
  return () => {
    window.clearInterval(timer);
    player?.destroy();
    chat?.close();
  };
}

export const studioPage: Page = (main, params) => {
  let leave: () => void = () => undefined;
  const show = () => {
    const token = getToken();
    if (!token) return signInForm(main, show);
    leave = params["id"] ? studioRoom(main, token, params["id"]) : studioHome(main, token);
  };
  show();
  return () => leave();
};
