// The REST API of docs/api.md, typed. Every call is same-origin: the app is served by the node.

export type RoomStatus = "ready" | "live" | "ended";
export type RoomKind = "video" | "audio";

export interface Room {
  id: string;
  title: string;
  description: string;
  kind: RoomKind;
  tags: string[];
  status: RoomStatus;
  owner: string;
  created_at: string;
  updated_at: string;
  viewers: number;
  rtmp_url: string;
  hls_url: string;
  stream_key?: string;
  ladder: string[] | null;
  renditions: string[];
  transcoding: string;
  thumbnail_url: string | null;
  /** Ingest statistics while live (from the stream's origin node), else null. */
  stream: { ingest_kbps: number; fps: number; dropped_frames: number } | null;
}

export interface RoomPage {
  rooms: Room[];
  next_cursor: string | null;
}

export interface ClusterNode {
  node_id: string;
  region: string;
  zone: string;
  state: string;
  self: boolean;
  linked: boolean;
  draining: boolean;
  endpoints: { host: string; rtmp: number; http: number; caf: number; gossip: number };
  load: { rooms: number; streams: number; viewers: number; cpu_pct: number };
}

export interface ClusterRoom {
  id: string;
  title: string;
  status: RoomStatus;
  owner_node: string;
  origin_node: string | null;
}

export interface ClusterView {
  node_id: string;
  nodes: ClusterNode[];
  rooms: ClusterRoom[];
  unreachable: string[];
}

export interface CreateRoom {
  title: string;
  description?: string;
  kind?: RoomKind;
  tags?: string[];
}

/** An API error body {"error": {code, message}} with its HTTP status (0 = the network failed). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers["Authorization"] = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "the node cannot be reached");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, "bad_response", `unexpected answer (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? "error", err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export interface ListParams {
  status?: RoomStatus | "";
  q?: string;
  limit?: number;
}

export function listRooms(p: ListParams = {}): Promise<RoomPage> {
  const qs = new URLSearchParams();
  if (p.status) qs.set("status", p.status);
  if (p.q) qs.set("q", p.q);
  qs.set("limit", String(p.limit ?? 60));
  return call<RoomPage>("GET", `/api/rooms?${qs.toString()}`);
}

export const getRoom = (id: string) => call<Room>("GET", `/api/rooms/${encodeURIComponent(id)}`);
export const createRoom = (token: string, body: CreateRoom) => call<Room>("POST", "/api/rooms", token, body);
export const endRoom = (token: string, id: string) =>
  call<Room>("POST", `/api/rooms/${encodeURIComponent(id)}/end`, token);
export const rotateKey = (token: string, id: string) =>
  call<Room>("POST", `/api/rooms/${encodeURIComponent(id)}/rotate-key`, token);
export const getCluster = () => call<ClusterView>("GET", "/api/cluster");

/**
 * The path (and query) of an absolute URL the API handed out. The app is served by the node, so
 * same-origin paths always reach it, whatever host name `public_host` put into the URL.
 */
export function localPath(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export const hlsPath = (roomId: string) => `/hls/${encodeURIComponent(roomId)}/master.m3u8`;
