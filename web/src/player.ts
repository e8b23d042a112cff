// LL-HLS playback with hls.js: low-latency mode, a quality menu built from the master playlist's
// levels, and a live-latency readout (hls.js `latency`: seconds behind the live edge).
import Hls, { type ErrorData, type Level } from "hls.js";
import { field, h } from "./dom";

export interface Player {
  element: HTMLElement;
  video: HTMLVideoElement;
  destroy(): void;
}

function levelLabel(l: Level): string {
  const kbps = Math.round(l.bitrate / 1000);
  if (l.height) return `${l.height}p · ${kbps} kb/s`;
  return l.name ? `${l.name} · ${kbps} kb/s` : `${kbps} kb/s`;
}

/**
 * A player for `url`. `muted` starts muted, which browsers require for autoplay; the viewer unmutes
 * with the video controls or the Unmute button.
 */
export function createPlayer(url: string, opts: { label: string; muted?: boolean; audioOnly?: boolean }): Player {
  const video = h("video", {
    class: opts.audioOnly ? "video audio-only" : "video",
    controls: true,
    playsinline: true,
    muted: opts.muted ?? true,
    "aria-label": opts.label,
  });
  video.muted = opts.muted ?? true;
  const quality = h("select", { "data-testid": "quality", disabled: true }, h("option", { value: "-1" }, "Auto"));
  const latency = h("output", { class: "latency", "data-testid": "latency", "aria-live": "off" }, "—");
  const message = h("p", { class: "player-message", role: "status", hidden: true });
  const unmute = h("button", { type: "button", class: "small", hidden: !video.muted }, "Unmute");
  unmute.addEventListener("click", () => {
    video.muted = false;
    unmute.hidden = true;
    void video.play().catch(() => undefined);
  });
  video.addEventListener("volumechange", () => (unmute.hidden = !video.muted));

  const element = h(
    "div",
    { class: "player", "data-hls-errors": 0, "data-hls-fatal": 0 },
    h("div", { class: "video-wrap" }, video, message),
    h(
      "div",
      { class: "player-bar" },
      field("Quality", quality),
      h("div", { class: "latency-box" }, h("span", { class: "label", id: "latency-label" }, "Latency"), latency),
      unmute,
    ),
  );
  latency.setAttribute("aria-labelledby", "latency-label");

  let hls: Hls | null = null;
  let timer: number | null = null;
  let errors = 0;
  const errorLog: string[] = [];
  let fatal = 0;

  const showMessage = (text: string | null) => {
    message.hidden = text === null;
    message.textContent = text ?? "";
  };

  const tryPlay = () => {
    void video.play().catch(() => showMessage("Press play to start."));
  };
  video.addEventListener("playing", () => showMessage(null));

  if (Hls.isSupported()) {
    hls = new Hls({ lowLatencyMode: true, backBufferLength: 30, enableWorker: true });
    const player = hls;
    player.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
      quality.replaceChildren(h("option", { value: "-1" }, "Auto"));
      data.levels.forEach((l, i) => quality.appendChild(h("option", { value: i }, levelLabel(l))));
      quality.disabled = data.levels.length === 0;
      tryPlay();
    });
    player.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
      element.dataset["level"] = String(data.level);
      const l = player.levels[data.level];
      if (l && quality.value === "-1") quality.options[0]!.textContent = `Auto (${levelLabel(l)})`;
    });
    player.on(Hls.Events.ERROR, (_e, data: ErrorData) => {
      errors++;
      element.dataset["hlsErrors"] = String(errors);
      // The recent error events, readable from the page (support, the browser test): "details@time".
      errorLog.push(`${data.details}${data.fatal ? "(fatal)" : ""}@${video.currentTime.toFixed(2)}`);
      if (errorLog.length > 20) errorLog.shift();
      element.dataset["errorLog"] = errorLog.join(" ");
      if (!data.fatal) return;
      fatal++;
      element.dataset["hlsFatal"] = String(fatal);
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        showMessage("Connection trouble — retrying…");
        window.setTimeout(() => player.startLoad(), 2000);
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        showMessage("Playback hiccup — recovering…");
        player.recoverMediaError();
      } else {
        showMessage("This stream cannot be played here.");
        player.destroy();
      }
    });
    quality.addEventListener("change", () => {
      // -1 = automatic (ABR); a number pins that level from the master playlist.
      player.currentLevel = Number(quality.value);
    });
    player.loadSource(url);
    player.attachMedia(video);
    timer = window.setInterval(() => {
      const l = player.latency;
      if (Number.isFinite(l) && l > 0) {
        latency.textContent = `${l.toFixed(1)} s`;
        latency.dataset["seconds"] = l.toFixed(2);
      }
    }, 500);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    // Safari plays LL-HLS natively; it picks the quality itself and reports no latency.
    video.src = url;
    quality.disabled = true;
    latency.textContent = "n/a";
    tryPlay();
  } else {
    showMessage("This browser cannot play HLS. Use any HLS player with the stream URL.");
  }

  return {
    element,
    video,
    destroy() {
      if (timer !== null) window.clearInterval(timer);
      hls?.destroy();
      hls = null;
      video.removeAttribute("src");
      video.load();
    },
  };
}
