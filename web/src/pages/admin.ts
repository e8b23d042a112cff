// Admin: the cluster from GET /api/cluster (nodes by region, state, load, rooms per node with owner
// and origin) and the live rooms with their renditions and transcoding status.
import { ApiError, getCluster, listRooms, type ClusterNode, type ClusterRoom, type ClusterView, type Room } from "../api";
import { h, replaceChildren, statusBadge, viewersText } from "../dom";
import { focusHeading, type Page } from "../router";

const REFRESH_MS = 5000;

function table(caption: string, headers: string[], rows: HTMLElement[], testid: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      { "data-testid": testid },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...rows),
    ),
  );
}

function stateBadge(n: ClusterNode): HTMLElement {
  const state = n.draining && n.state === "alive" ? "draining" : n.state;
  return h("span", { class: `badge node-${state}` }, state);
}

function cpuMeter(pct: number): HTMLElement {
  return h(
    "span",
    { class: "cpu" },
    h("meter", { min: 0, max: 100, low: 60, high: 85, optimum: 20, value: pct, "aria-label": `CPU ${pct}%` }),
    ` ${pct}%`,
  );
}

function nodeName(view: ClusterView, id: string | null): string {
  if (!id) return "—";
  const short = id.length > 12 ? `${id.slice(0, 12)}…` : id;
  return id === view.node_id ? `${short} (this node)` : short;
}

function roomLink(id: string, title: string): HTMLElement {
  return h("a", { href: `/watch/${encodeURIComponent(id)}`, "data-link": true }, title || id);
}

function nodesSection(view: ClusterView): HTMLElement {
  const regions = new Map<string, ClusterNode[]>();
  for (const n of view.nodes) regions.set(n.region, [...(regions.get(n.region) ?? []), n]);
  const sections = [...regions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, nodes]) =>
      h(
        "section",
        { class: "region", "aria-label": `Region ${region}` },
        h("h3", {}, `Region ${region}`),
        table(
          `Nodes in ${region}`,
          ["Node", "Zone", "State", "Link", "Rooms", "Streams", "Viewers", "CPU", "HTTP"],
          nodes.map((n) =>
            h(
              "tr",
              { "data-node": n.node_id },
              h("th", { scope: "row", title: n.node_id, class: "mono" }, nodeName(view, n.node_id)),
              h("td", {}, n.zone),
              h("td", {}, stateBadge(n)),
              h("td", {}, n.self ? "self" : n.linked ? "linked" : "not linked"),
              h("td", {}, n.load.rooms),
              h("td", {}, n.load.streams),
              h("td", {}, n.load.viewers),
              h("td", {}, cpuMeter(n.load.cpu_pct)),
              h("td", { class: "mono" }, `${n.endpoints.host}:${n.endpoints.http}`),
            ),
          ),
          `nodes-${region}`,
        ),
      ),
    );
  return h("section", { "aria-labelledby": "nodes-h" }, h("h2", { id: "nodes-h" }, "Nodes by region"), ...sections);
}

function roomsSection(view: ClusterView): HTMLElement {
  const byNode = new Map<string, ClusterRoom[]>();
  for (const r of view.rooms) {
    byNode.set(r.owner_node, [...(byNode.get(r.owner_node) ?? []), r]);
    if (r.origin_node && r.origin_node !== r.owner_node)
      byNode.set(r.origin_node, [...(byNode.get(r.origin_node) ?? []), r]);
  }
  const parts = view.nodes.map((n) => {
    const rooms = (byNode.get(n.node_id) ?? []).filter((r) => r.status !== "ended");
    return h(
      "section",
      { class: "node-rooms" },
      h("h3", { class: "mono", title: n.node_id }, nodeName(view, n.node_id)),
      rooms.length
        ? table(
            `Rooms on ${nodeName(view, n.node_id)}`,
            ["Room", "Status", "Owner node", "Origin (ingest) node"],
            rooms.map((r) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, roomLink(r.id, r.title)),
                h("td", {}, statusBadge(r.status)),
                h("td", { class: "mono", title: r.owner_node }, nodeName(view, r.owner_node)),
                h("td", { class: "mono", title: r.origin_node ?? "" }, nodeName(view, r.origin_node)),
              ),
            ),
            `rooms-${n.node_id}`,
          )
        : h("p", { class: "muted" }, "No open rooms."),
    );
  });
  const ended = view.rooms.filter((r) => r.status === "ended").length;
  return h(
    "section",
    { "aria-labelledby": "rooms-h" },
    h("h2", { id: "rooms-h" }, "Rooms per node"),
    h("p", { class: "muted" }, `${view.rooms.length} rooms in the directory (${ended} ended, not listed).`),
    ...parts,
  );
}

function liveSection(rooms: Room[]): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "live-h" },
    h("h2", { id: "live-h" }, "Live streams"),
    rooms.length
      ? table(
          "Live streams",
          ["Room", "Kind", "Viewers", "Ingest", "FPS", "Dropped frames", "Renditions", "Transcoding"],
          rooms.map((r) =>
            h(
              "tr",
              { "data-room": r.id },
              h("th", { scope: "row" }, roomLink(r.id, r.title)),
              h("td", {}, r.kind),
              h("td", {}, viewersText(r.viewers)),
              h("td", {}, r.stream ? `${r.stream.ingest_kbps} kbit/s` : "—"),
              h("td", {}, r.stream ? r.stream.fps.toFixed(1) : "—"),
              h("td", { class: r.stream && r.stream.dropped_frames > 0 ? "warn" : "" }, r.stream ? String(r.stream.dropped_frames) : "—"),
              h("td", {}, r.renditions.join(", ") || "—"),
              h("td", { class: r.transcoding ? "warn" : "" }, r.transcoding || "ok"),
            ),
          ),
          "live-streams",
        )
      : h("p", { class: "muted" }, "Nobody is live."),
    h(
      "p",
      { class: "note" },
      "Ingest bitrate and frame rate are measured by the stream's origin node over the last 2 s; dropped frames are source frames the server could not package.",
    ),
  );
}

export const adminPage: Page = (main) => {
  document.title = "Admin · onair";
  const status = h("p", { role: "status", class: "summary" }, "Loading the cluster…");
  const body = h("div", {});
  replaceChildren(main, h("h1", {}, "Cluster"), status, body);
  focusHeading(main);

  async function refresh(): Promise<void> {
    try {
      const [view, live] = await Promise.all([getCluster(), listRooms({ status: "live", limit: 200 })]);
      const alive = view.nodes.filter((n) => n.state === "alive").length;
      status.textContent = `${view.nodes.length} ${view.nodes.length === 1 ? "node" : "nodes"} (${alive} alive), answered by ${nodeName(view, view.node_id)} · updated ${new Date().toLocaleTimeString()}`;
      replaceChildren(
        body,
        view.unreachable.length
          ? h("p", { class: "error", role: "alert" }, `Rooms of these nodes could not be listed in time: ${view.unreachable.join(", ")}`)
          : null,
        nodesSection(view),
        liveSection(live.rooms),
        roomsSection(view),
      );
    } catch (e) {
      status.textContent = e instanceof ApiError ? `Cannot read the cluster: ${e.message}` : "Cannot read the cluster.";
    }
  }
  void refresh();
  const timer = window.setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
  return () => window.clearInterval(timer);
};
