// Helpers for the browser tests, mirroring tests/integration/onair_harness.py: a real `onair node` on
// loopback (port 0 + ready file), ffmpeg as the publisher, and Debian's Chromium driven by
// playwright-core. Every child process is bounded by a timeout and ended by its PID.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = resolve(here, "../..");
export const WEB_DIR = join(SOURCE_DIR, "web");
export const ONAIR_BIN = process.env.ONAIR_BIN ?? join(SOURCE_DIR, "build/onair");
export const TMP_ROOT = process.env.ONAIR_TEST_TMP ?? join(SOURCE_DIR, "build/test-tmp");
export const ARTIFACTS = process.env.ONAIR_WEB_ARTIFACTS ?? join(TMP_ROOT, "web-artifacts");
export const WEB_ROOT = process.env.ONAIR_WEB_ROOT ?? join(WEB_DIR, "dist");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** playwright-core comes from web/node_modules (npm ci in web/), not from a global install. */
export function playwright() {
  const require = createRequire(join(WEB_DIR, "package.json"));
  return require("playwright-core");
}

/** Fails early, with the fix, when something the test needs was not set up. */
export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(ONAIR_BIN)) missing.push(`onair binary ${ONAIR_BIN} (build first)`);
  if (!existsSync(join(WEB_ROOT, "index.html"))) missing.push(`${WEB_ROOT}/index.html (npm ci && npm run build in web/)`);
  if (!existsSync(join(WEB_DIR, "node_modules/playwright-core"))) missing.push("web/node_modules/playwright-core (npm ci in web/)");
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`);
  if (missing.length) throw new Error(`browser test prerequisites missing:\n  ${missing.join("\n  ")}`);
}

/** Ends a child by PID: SIGTERM, then SIGKILL after `graceMs`. */
async function endChild(proc, graceMs) {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const exited = new Promise((res) => proc.once("exit", (code) => res(code)));
  process.kill(proc.pid, "SIGTERM");
  const code = await Promise.race([exited, sleep(graceMs).then(() => "timeout")]);
  if (code !== "timeout") return code;
  process.kill(proc.pid, "SIGKILL");
  await exited;
  throw new Error(`process ${proc.pid} did not stop within ${graceMs} ms`);
}

export class Node {
  constructor(extraArgs = []) {
    mkdirSync(TMP_ROOT, { recursive: true });
    this.workdir = mkdtempSync(join(TMP_ROOT, "onair-web-"));
    this.dataDir = join(this.workdir, "data");
    this.readyFile = join(this.workdir, "ready.json");
    this.logPath = join(this.workdir, "node.log");
    this.extraArgs = extraArgs;
    this.proc = null;
  }

  async start(timeoutMs = 20000) {
    const log = openSync(this.logPath, "a");
    this.proc = spawn(
      ONAIR_BIN,
      ["node", "--data-dir", this.dataDir, "--bind", "127.0.0.1", "--rtmp-port", "0", "--http-port", "0",
       "--ready-file", this.readyFile, "--public-host", "127.0.0.1", "--web-root", WEB_ROOT, ...this.extraArgs],
      { stdio: ["ignore", log, log] },
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`onair exited with ${this.proc.exitCode}: ${this.readLog()}`);
      if (existsSync(this.readyFile)) {
        try {
          this.ready = JSON.parse(readFileSync(this.readyFile, "utf8"));
        } catch {
          await sleep(50); // written atomically, but be safe
          continue;
        }
        this.http = `http://127.0.0.1:${this.ready.http_port}`;
        this.rtmp = `rtmp://127.0.0.1:${this.ready.rtmp_port}/live`;
        this.adminToken = readFileSync(join(this.dataDir, "admin.token"), "utf8").trim();
        return this;
      }
      await sleep(50);
    }
    await this.stop().catch(() => undefined);
    throw new Error(`onair did not become ready: ${this.readLog()}`);
  }

  async stop() {
    if (this.proc) return endChild(this.proc, 20000);
    return null;
  }

  readLog() {
    try {
      return readFileSync(this.logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  }
}

/** Publishes a test pattern + tone for at most `seconds` (ffmpeg's own -t bounds it). */
export function publish(url, seconds, logPath) {
  const log = openSync(logPath, "a");
  const proc = spawn(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "warning", "-re",
     "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
     "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
     "-c:a", "aac", "-t", String(seconds), "-f", "flv", url],
    { stdio: ["ignore", log, log] },
  );
  return { proc, stop: () => endChild(proc, 5000).catch(() => undefined) };
}

/** Debian's Chromium, headless, with the flags this machine needs (no background network calls). */
export async function launchChromium() {
  const { chromium } = playwright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** Ends a node as a crash would: SIGKILL by PID, then waits for the exit. */
export async function killNode(node) {
  const proc = node.proc;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((res) => proc.once("exit", () => res()));
  process.kill(proc.pid, "SIGKILL");
  await exited;
}

/** A JSON request to a node's HTTP API; returns { status, body }. */
export async function api(node, method, path, body, token = node.adminToken) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(node.http + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                             signal: AbortSignal.timeout(10000) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Polls `fn` every `intervalMs` until it returns something truthy; throws after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 200, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/**
 * A cluster on loopback, as tests/integration/cluster_harness.py starts one: one node per region given,
 * all ports 0, the first node the others' gossip seed. Resolves once every node sees every other alive
 * and linked. On failure, the nodes already started are ended (by PID) before it throws.
 */
export async function startCluster(regions, extraArgs = [], secret = "web-test-cluster-secret") {
  const nodes = [];
  try {
    for (const region of regions) {
      const args = ["--cluster-secret", secret, "--region", region, "--gossip-port", "0", "--caf-port", "0", ...extraArgs];
      if (nodes.length) args.push("--seeds", `127.0.0.1:${nodes[0].ready.gossip_port}`);
      nodes.push(await new Node(args).start());
    }
    const ids = nodes.map((n) => n.ready.node_id);
    for (const n of nodes) {
      await waitFor(async () => {
        const { status, body } = await api(n, "GET", "/api/cluster");
        const linked = new Set(body?.nodes?.filter((x) => x.state === "alive" && x.linked).map((x) => x.node_id) ?? []);
        return status === 200 && ids.every((id) => linked.has(id));
      }, { timeoutMs: 30000, what: `${n.ready.node_id} linked to every node` });
    }
    return nodes;
  } catch (e) {
    await Promise.all(nodes.map((n) => killNode(n).catch(() => undefined)));
    throw e;
  }
}
