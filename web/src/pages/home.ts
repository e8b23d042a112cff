// Home: the rooms, searchable (?q=) and filtered by status (?status=), refreshed every few seconds
// without reloading the page.
import { ApiError, listRooms, localPath, type Room, type RoomStatus } from "../api";
import { field, h, replaceChildren, statusBadge, viewersText } from "../dom";
import { focusHeading, type Page } from "../router";

const REFRESH_MS = 5000;
/** A thumbnail is made from the first keyframe after going live; before that its URL answers 404. */
const THUMBNAIL_GRACE_MS = 4000;

const FILTERS: { value: RoomStatus | ""; label: string }[] = [
  { value: "live", label: "Live now" },
  { value: "ready", label: "Starting soon" },
  { value: "ended", label: "Ended" },
  { value: "", label: "All rooms" },
];

function thumbnail(room: Room): HTMLElement {
  const live = room.status === "live" && Date.now() - Date.parse(room.updated_at) > THUMBNAIL_GRACE_MS;
  if (room.kind === "video" && room.thumbnail_url && live) {
    // The node caches thumbnails for 5 s; a 5 s bucket in the URL fetches a new one each refresh.
    const src = `${localPath(room.thumbnail_url)}?t=${Math.floor(Date.now() / REFRESH_MS)}`;
    const img = h("img", { src, alt: "", loading: "lazy", width: 320, height: 180 });
    img.addEventListener("error", () => img.replaceWith(placeholder(room)));
    return img;
  }
  return placeholder(room);
}

function placeholder(room: Room): HTMLElement {
  return h("div", { class: "thumb-placeholder", "aria-hidden": "true" }, room.kind === "audio" ? "♪" : "▶");
}

function card(room: Room): HTMLElement {
  return h(
    "li",
    { class: "room-card", "data-room": room.id },
    h(
      "a",
      { href: `/watch/${encodeURIComponent(room.id)}`, "data-link": true, class: "room-link" },
      h("div", { class: "thumb" }, thumbnail(room), h("div", { class: "thumb-badges" }, statusBadge(room.status))),
      h(
        "div",
        { class: "room-info" },
        h("h2", { class: "room-title" }, room.title),
        h(
          "p",
          { class: "room-meta" },
          h("span", { class: "viewers", "data-testid": "viewers" }, viewersText(room.viewers)),
          " · ",
          room.kind === "audio" ? "radio" : "video",
          room.owner ? ` · ${room.owner}` : "",
        ),
        room.tags.length ? h("p", { class: "tags" }, ...room.tags.map((t) => h("span", { class: "tag" }, t))) : null,
      ),
    ),
  );
}

export const homePage: Page = (main, _params, query) => {
  document.title = "Live rooms · onair";
  let q = query.get("q") ?? "";
  const statusParam = query.get("status");
  let status: RoomStatus | "" = statusParam === null ? "live" : (statusParam as RoomStatus | "");
  if (!FILTERS.some((f) => f.value === status)) status = "live";

  const search = h("input", { type: "search", value: q, placeholder: "Title, description or tag", "data-testid": "search" });
  const filter = h(
    "select",
    { "data-testid": "status-filter" },
    ...FILTERS.map((f) => h("option", { value: f.value, selected: f.value === status }, f.label)),
  );
  const results = h("ul", { class: "room-grid", "aria-label": "Rooms" });
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Loading rooms…");
  const updated = h("p", { class: "updated" });

  replaceChildren(
    main,
    h("h1", {}, "Live rooms"),
    h(
      "form",
      { class: "toolbar", role: "search", onsubmit: (ev: Event) => ev.preventDefault() },
      field("Search", search),
      field("Show", filter),
    ),
    summary,
    results,
    updated,
  );
  focusHeading(main);

  let seq = 0;
  async function refresh(): Promise<void> {
    const mine = ++seq;
    try {
      const page = await listRooms({ status, q });
      if (mine !== seq) return; // a newer search is on its way
      // Live rooms with the most viewers first; the rest newest first.
      const rooms = page.rooms.sort((a, b) => b.viewers - a.viewers || b.created_at.localeCompare(a.created_at));
      // Keep keyboard focus on the same room across refreshes (the cards are rebuilt).
      const focused = (document.activeElement?.closest?.("li[data-room]") as HTMLElement | null)?.dataset["room"];
      replaceChildren(results, ...rooms.map(card));
      if (focused) results.querySelector<HTMLElement>(`li[data-room="${CSS.escape(focused)}"] a`)?.focus();
      const what = FILTERS.find((f) => f.value === status)?.label.toLowerCase() ?? "rooms";
      summary.textContent = rooms.length
        ? `${rooms.length} ${rooms.length === 1 ? "room" : "rooms"}${q ? ` matching “${q}”` : ""}`
        : q
          ? `No rooms match “${q}”.`
          : status === "live"
            ? "Nobody is live right now. Start a show from the Studio."
            : `No ${what}.`;
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (mine !== seq) return;
      summary.textContent = e instanceof ApiError ? `Cannot list rooms: ${e.message}` : "Cannot list rooms.";
    }
  }

  function syncUrl(): void {
    const p = new URLSearchParams();
    if (q) p.set("q", q);
    if (status !== "live") p.set("status", status);
    const s = p.toString();
    history.replaceState(null, "", s ? `/?${s}` : "/");
  }

  let debounce: number | null = null;
  search.addEventListener("input", () => {
    if (debounce !== null) window.clearTimeout(debounce);
    debounce = window.setTimeout(() => {
      q = search.value.trim();
      syncUrl();
      void refresh();
    }, 250);
  });
  filter.addEventListener("change", () => {
    status = filter.value as RoomStatus | "";
    syncUrl();
    void refresh();
  });

  void refresh();
  const timer = window.setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
  return () => {
    window.clearInterval(timer);
    if (debounce !== null) window.clearTimeout(debounce);
    seq++;
  };
};
