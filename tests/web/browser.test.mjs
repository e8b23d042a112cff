// The browser app end to end in Debian's Chromium (docs/web.md): a real node, a real ffmpeg publisher,
// three browser contexts (studio, a desktop viewer, a phone viewer). Screenshots go to ARTIFACTS.
import { strict as assert } from "node:assert";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, Node, checkPrerequisites, launchChromium, publish } from "./onair_harness.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let node;
let browser;
let publisher;
/** Console errors and uncaught exceptions per context; the test ends by asserting they are empty. */
const problems = [];

function watchConsole(page, who, ignore = () => false) {
  page.on("console", (m) => {
    if (m.type() === "error" && !ignore(m.text())) problems.push(`${who}: console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${who}: uncaught: ${e.message}`));
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

before(async () => {
  checkPrerequisites();
  mkdirSync(ARTIFACTS, { recursive: true });
  node = await new Node().start();
  browser = await launchChromium();
});

after(async () => {
  await publisher?.stop();
  await browser?.close().catch(() => undefined);
  if (node) {
    const code = await node.stop();
    assert.equal(code, 0, `onair did not stop cleanly: ${node.readLog()}`);
  }
});

test("studio creates a room, ffmpeg goes live, viewers watch and chat, the DJ moderates and ends", { timeout: 150000 }, async () => {
  const studioCtx = await browser.newContext({ ...DESKTOP, baseURL: node.http });
  const viewerCtx = await browser.newContext({ ...DESKTOP, baseURL: node.http });
  const phoneCtx = await browser.newContext({ ...PHONE, baseURL: node.http });
  const studio = await studioCtx.newPage();
  const viewer = await viewerCtx.newPage();
  const phone = await phoneCtx.newPage();
  let phoneOffline = false;
  watchConsole(studio, "studio");
  watchConsole(viewer, "viewer");
  // The phone drops its network on purpose below; what fails while it is offline is expected.
  watchConsole(phone, "phone", (text) => phoneOffline && /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED/.test(text));

  // Home with nobody live.
  await viewer.goto("/");
  await viewer.getByRole("heading", { name: "Live rooms" }).waitFor();
  await viewer.getByText("Nobody is live right now").waitFor();

  // Studio: sign in with the node's admin token, create a room.
  await studio.goto("/studio");
  await studio.getByLabel("API token").fill(node.adminToken);
  await studio.getByRole("button", { name: "Sign in" }).click();
  await studio.getByLabel("Title").fill("Friday night test");
  await studio.getByLabel("Tags").fill("house, test");
  await studio.getByRole("button", { name: "Create room" }).click();
  await studio.waitForURL(/\/studio\/[^/]+$/);
  const roomId = decodeURIComponent(new URL(studio.url()).pathname.split("/").pop());
  const rtmpUrl = await studio.getByTestId("rtmp-url").inputValue();
  const streamKey = await studio.getByTestId("stream-key").inputValue();
  assert.equal(rtmpUrl, node.rtmp);
  assert.match(streamKey, /^sk_/);
  await studio.getByText("Waiting for your encoder").waitFor();

  // Go live with the ffmpeg CLI (bounded by -t).
  publisher = publish(`${rtmpUrl}/${streamKey}`, 75, join(node.workdir, "ffmpeg.log"));

  // The viewer finds the room on home (refreshes by itself) and opens it.
  await viewer.getByRole("link", { name: /Friday night test/ }).waitFor({ timeout: 20000 });
  await viewer.getByRole("link", { name: /Friday night test/ }).click();
  await viewer.waitForURL(`**/watch/${encodeURIComponent(roomId)}`);
  const video = viewer.locator("video");
  await video.waitFor({ timeout: 20000 });

  // It plays: currentTime advances.
  await viewer.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, { timeout: 30000 });
  const t0 = await video.evaluate((v) => v.currentTime);
  await viewer.waitForTimeout(2000);
  const t1 = await video.evaluate((v) => v.currentTime);
  assert.ok(t1 > t0 + 1, `currentTime should advance: ${t0} -> ${t1}`);

  // The latency readout shows under 5 s.
  await viewer.waitForFunction(() => {
    const s = Number(document.querySelector("[data-testid=latency]")?.getAttribute("data-seconds"));
    return s > 0 && s < 5;
  }, null, { timeout: 20000, polling: 250 });
  const latency = await viewer.getByTestId("latency").textContent();
  const quality = await viewer.getByTestId("quality").locator("option").allTextContents();
  assert.ok(quality[0].startsWith("Auto") && quality.length >= 2, `quality menu: ${quality}`);

  // Chat: the viewer and the phone join with nicks; the studio joined with the API token (admin).
  await viewer.getByLabel("Your name").fill("ana");
  await viewer.getByRole("button", { name: "Join chat" }).click();
  await phone.goto(`/watch/${encodeURIComponent(roomId)}`);
  await phone.getByLabel("Your name").fill("bo");
  await phone.getByRole("button", { name: "Join chat" }).click();
  for (const p of [viewer, phone, studio]) await p.locator('.chat[data-state="open"]').waitFor({ timeout: 10000 });
  assert.equal(await studio.locator(".chat").getAttribute("data-role"), "admin");

  await viewer.getByLabel("Message", { exact: true }).fill("hello from ana");
  await viewer.getByLabel("Message", { exact: true }).press("Enter");
  const onPhone = phone.locator(".chat-msg", { hasText: "hello from ana" });
  const inStudio = studio.locator(".chat-msg", { hasText: "hello from ana" });
  await onPhone.waitFor({ timeout: 10000 });
  await inStudio.waitFor({ timeout: 10000 });

  // Reactions reach the others.
  await phone.getByRole("button", { name: "React with 🔥" }).click();
  await viewer.locator(".burst", { hasText: "🔥" }).first().waitFor({ timeout: 5000 });
  await shot(viewer, "watch");
  await phone.evaluate(() => window.scrollTo(0, 0));
  await shot(phone, "watch-phone", true);

  // The moderator deletes it: gone everywhere.
  await inStudio.getByRole("button", { name: /Delete message from ana/ }).click();
  await onPhone.waitFor({ state: "detached", timeout: 10000 });
  await viewer.locator(".chat-msg", { hasText: "hello from ana" }).waitFor({ state: "detached", timeout: 10000 });

  // Network drop on the phone: a message sent meanwhile arrives after it reconnects (since recovery).
  phoneOffline = true;
  await phoneCtx.setOffline(true);
  await phone.locator('.chat[data-state="offline"]').waitFor({ timeout: 10000 });
  await viewer.getByLabel("Message", { exact: true }).fill("while you were away");
  await viewer.getByLabel("Message", { exact: true }).press("Enter");
  await viewer.locator(".chat-msg", { hasText: "while you were away" }).waitFor({ timeout: 10000 });
  await phoneCtx.setOffline(false);
  await phone.locator('.chat[data-state="open"]').waitFor({ timeout: 15000 });
  await phone.locator(".chat-msg", { hasText: "while you were away" }).waitFor({ timeout: 10000 });
  phoneOffline = false;

  // The studio shows the preview playing and the viewer count.
  await studio.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, { timeout: 30000 });
  await studio.waitForFunction(() => Number(document.querySelector("[data-testid=studio-viewers]")?.textContent) >= 1, null, { timeout: 15000 });
  await shot(studio, "studio");

  // Admin: this node with its load, the live room with its renditions.
  const admin = await studioCtx.newPage();
  watchConsole(admin, "admin");
  await admin.goto("/admin");
  await admin.getByTestId("live-streams").locator(`tr[data-room="${roomId}"]`).waitFor({ timeout: 10000 });
  // The live row shows the stream's ingest bitrate (measured by the node, refreshed every 5 s).
  await admin.getByTestId("live-streams").locator(`tr[data-room="${roomId}"] td`, { hasText: "kbit/s" })
    .waitFor({ timeout: 15000 });
  await admin.locator(`tr[data-node="${node.ready.node_id}"]`).waitFor();
  await shot(admin, "admin");
  await admin.close();

  // Home lists the live room with its viewers.
  const home = await viewerCtx.newPage();
  watchConsole(home, "home");
  await home.goto("/?q=friday");
  await home.locator(`li[data-room="${roomId}"]`).waitFor({ timeout: 10000 });
  await home.waitForTimeout(5500); // one refresh, so the thumbnail has been made
  await shot(home, "home");
  await home.close();

  // No hls.js error events on the viewer's player, except its non-fatal buffer-health reports: a stall
  // at the live edge (bufferStalledError, which a loaded 2-core machine produces when a part arrives late)
  // and a jump over a small hole in the buffered media (bufferSeekOverHole / bufferNudgeOnStall). Those
  // are printed, not hidden (docs/web.md, "Known issues"); network, parsing, media and fatal errors fail.
  const log = ((await viewer.locator(".player").getAttribute("data-error-log")) ?? "").split(" ").filter(Boolean);
  const bufferReports = log.filter((e) => /^(bufferStalledError|bufferSeekOverHole|bufferNudgeOnStall)@/.test(e));
  const otherErrors = log.filter((e) => !bufferReports.includes(e));
  assert.deepEqual(otherErrors, [], `hls.js error events on the viewer: ${log.join(" ")}`);

  // The DJ ends the show; viewers are told.
  await studio.getByRole("button", { name: "End the show" }).click();
  await studio.getByRole("button", { name: "Yes, end the show" }).click();
  await viewer.getByText("This show has ended").waitFor({ timeout: 10000 });
  await phone.getByText("This show has ended").waitFor({ timeout: 10000 });
  await shot(viewer, "watch-ended");

  assert.deepEqual(problems, [], problems.join("\n"));
  console.log(`room ${roomId}: played, latency readout ${latency}, quality menu [${quality.join(" | ")}], ` +
    `hls.js buffer reports: ${bufferReports.length ? bufferReports.join(" ") : "none"}; screenshots in ${ARTIFACTS}`);
  await Promise.all([studioCtx.close(), viewerCtx.close(), phoneCtx.close()]);
});
