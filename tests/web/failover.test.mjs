// A viewer's node dies (issue #13, docs/hls-steering.md): hls.js in Debian's Chromium plays a room from
// one node of a three-node cluster, that node is killed with SIGKILL, and the player goes on from another
// node by content steering, without a reload and without a fatal error. The longest stall after the kill
// is printed (docs/benchmarks.md) and bounded generously; this is a correctness test, not a benchmark.
import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, WEB_DIR, api, checkPrerequisites, killNode, launchChromium, publish, startCluster, waitFor }
  from "./onair_harness.mjs";

// The page lives on an origin of its own, as a site embedding the player would: every HLS request is
// cross-origin (CORS on every response, redirects included). A real server on loopback, not a
// Playwright route: a fulfilled page has no address, and Chromium's Private Network Access then
// treats it as public and blocks its fetches to 127.0.0.1.
let pageServer;
const HLS_JS = join(WEB_DIR, "node_modules/hls.js/dist/hls.min.js");
const STALL_BOUND_MS = 10000;

let nodes = [];
let browser;
let publisher;

before(async () => {
  checkPrerequisites();
  mkdirSync(ARTIFACTS, { recursive: true });
  // Passthrough only: one variant per pathway, and no transcoding load on a 2-core machine.
  nodes = await startCluster(["eu", "eu", "us"], ["--ladder", "none"]);
  browser = await launchChromium();
});

after(async () => {
  await publisher?.stop();
  pageServer?.close();
  await browser?.close().catch(() => undefined);
  for (const n of nodes) await n.stop().catch(() => undefined);
});

/** The page: a muted video and hls.js configured as the web app configures it (web/src/player.ts). */
const html = `<!doctype html><meta charset="utf-8"><title>failover</title>
<video id="v" muted autoplay playsinline style="width:640px"></video>
<script src="/hls.min.js"></script>
<script>
  window.log = { errors: [], frags: [], steering: [], samples: [], levels: [] };
  window.start = (url) => {
    const video = document.getElementById("v");
    const hls = new Hls({ lowLatencyMode: true, backBufferLength: 30, enableWorker: true });
    window.hls = hls;
    const now = () => performance.now();
    hls.on(Hls.Events.ERROR, (_e, d) => log.errors.push({ t: now(), type: d.type, details: d.details, fatal: d.fatal,
      url: d.url || d.frag?.url || d.context?.url || "", code: d.response?.code, reason: d.error?.message ?? d.reason }));
    // An LL-HLS part arrives as FRAG_LOADED with d.part set (its own URL; the parent segment's may be empty).
    hls.on(Hls.Events.FRAG_LOADED, (_e, d) => {
      const url = d.part?.url || d.frag?.url;
      if (url) log.frags.push({ t: now(), host: new URL(url, location.href).host, sn: d.frag.sn });
    });
    hls.on(Hls.Events.STEERING_MANIFEST_LOADED, (_e, d) =>
      log.steering.push({ t: now(), url: d.url, priority: d.steeringManifest["PATHWAY-PRIORITY"] }));
    hls.on(Hls.Events.LEVELS_UPDATED, (_e, d) => log.levels.push({ t: now(), urls: d.levels.map((l) => l.url[0] ?? l.url) }));
    hls.loadSource(url);
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => undefined));
    setInterval(() => log.samples.push([now(), video.currentTime]), 50);
  };
</script>`;

/** Longest time (ms) currentTime did not advance within [from, to] of the page's clock. */
function longestStall(samples, from, to = Infinity) {
  let lastAdvance = null;
  let prev = null;
  let worst = 0;
  for (const [t, ct] of samples) {
    if (t < from || t > to) {
      prev = ct;
      continue;
    }
    if (lastAdvance === null) lastAdvance = t;
    if (prev !== null && ct > prev) {
      worst = Math.max(worst, t - lastAdvance);
      lastAdvance = t;
    }
    prev = ct;
  }
  if (lastAdvance !== null && samples.length) worst = Math.max(worst, Math.min(to, samples.at(-1)[0]) - lastAdvance);
  return worst;
}

test("hls.js keeps playing from another node after its node is killed with SIGKILL", { timeout: 180000 }, async () => {
  const [first] = nodes;
  const { status, body: room } = await api(first, "POST", "/api/rooms", { title: "Steered failover", kind: "video" });
  assert.equal(status, 201, JSON.stringify(room));
  const ownerOf = async (n) => (await api(n, "GET", "/api/cluster")).body.rooms.find((r) => r.id === room.id)?.owner_node;
  const owner = await waitFor(() => ownerOf(first), { what: "the room's owner" });
  for (const n of nodes) await waitFor(async () => (await ownerOf(n)) === owner, { what: "room replicated" });
  // The viewer's node is neither the owner nor the origin: its death moves only its viewers.
  const others = nodes.filter((n) => n.ready.node_id !== owner);
  const origin = others[0];
  const viewerNode = others[1];
  publisher = publish(`${origin.rtmp}/${room.stream_key}`, 120, join(origin.workdir, "ffmpeg.log"));

  const masterUrl = `${viewerNode.http}/hls/${encodeURIComponent(room.id)}/master.m3u8`;
  await waitFor(async () => {
    const res = await fetch(masterUrl, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return res.status === 200 && text.includes("#EXT-X-CONTENT-STEERING") && (text.match(/PATHWAY-ID=/g) ?? []).length >= 4;
  }, { timeoutMs: 40000, what: "a steered master on the viewer's node" });

  const ctx = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await ctx.newPage();
  pageServer = createServer((req, res) => {
    if (req.url === "/hls.min.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      return res.end(readFileSync(HLS_JS));
    }
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(html);
  });
  await new Promise((res) => pageServer.listen(0, "127.0.0.1", res));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  await page.evaluate((url) => window.start(url), masterUrl);

  const viewerHost = `127.0.0.1:${viewerNode.ready.http_port}`;
  // On a timeout, what the player did says why (no media, no steering manifest, errors).
  const explain = async (e) => {
    const log = await page.evaluate(() => ({ ...window.log, samples: window.log.samples.slice(-3),
      currentTime: document.getElementById("v").currentTime })).catch(() => null);
    writeFileSync(join(ARTIFACTS, "failover-log.json"), JSON.stringify(log, null, 1));
    throw new Error(`${e.message}; player: ${JSON.stringify(log)?.slice(0, 3000)}`);
  };
  await page.waitForFunction((host) => document.getElementById("v").currentTime > 3 &&
    window.log.frags.filter((f) => f.host === host).length >= 3 && window.log.steering.length >= 1,
  viewerHost, { timeout: 60000, polling: 250 }).catch(explain);

  const killedAt = await page.evaluate(() => performance.now());
  const timeAtKill = await page.evaluate(() => document.getElementById("v").currentTime);
  await killNode(viewerNode);

  // It goes on: media from another node, and several seconds more of playback.
  await page.waitForFunction(({ host, t0, ct0 }) => document.getElementById("v").currentTime > ct0 + 6 &&
    window.log.frags.filter((f) => f.t > t0 && f.host !== host).length >= 3,
  { host: viewerHost, t0: killedAt, ct0: timeAtKill }, { timeout: 60000, polling: 250 }).catch(explain);

  const log = await page.evaluate(() => window.log);
  const endAt = log.samples.at(-1)[0];
  const stallMs = longestStall(log.samples, killedAt);
  const before = longestStall(log.samples, Math.max(0, killedAt - 5000), killedAt);
  const firstElsewhere = log.frags.find((f) => f.t > killedAt && f.host !== viewerHost);
  const after = log.errors.filter((e) => e.t > killedAt);
  writeFileSync(join(ARTIFACTS, "failover-log.json"), JSON.stringify({ killedAt, viewerHost, ...log }, null, 1));

  const fatal = log.errors.filter((e) => e.fatal);
  assert.deepEqual(fatal, [], `fatal hls.js errors: ${JSON.stringify(fatal)}`);
  assert.ok(stallMs < STALL_BOUND_MS, `stall after the kill: ${stallMs.toFixed(0)} ms`);
  const nodeIds = Object.fromEntries(nodes.map((n) => [`127.0.0.1:${n.ready.http_port}`, n.ready.node_id]));
  console.log(`[failover] hls.js on ${viewerNode.ready.node_id} (${viewerHost}); killed; next fragment from ` +
    `${nodeIds[firstElsewhere.host]} after ${((firstElsewhere.t - killedAt) / 1000).toFixed(2)} s; longest stall after ` +
    `the kill ${(stallMs / 1000).toFixed(2)} s (longest in the 5 s before: ${(before / 1000).toFixed(2)} s); ` +
    `played ${((endAt - killedAt) / 1000).toFixed(1)} s after it; non-fatal hls.js errors after the kill: ` +
    `${after.map((e) => e.details).join(" ") || "none"}; log in ${ARTIFACTS}/failover-log.json`);
  await ctx.close();
});
