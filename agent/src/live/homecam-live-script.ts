// The `<homecam-live>` custom element, served as a same-origin script (`/live/homecam-live.js`) so
// the LAN app's CSP (no inline script) holds. Plain browser JS in a string, as the cloud's pair page
// does: no bundler, no framework. It tries WHEP first (`tryWhep`, the extension point: WebRTC is a
// later piece and answers "not available" today), then the fallback: fMP4 over the authenticated
// WebSocket into MediaSource, held near the live edge.

/** Seconds behind the live edge after which the element jumps forward. */
export const LIVE_EDGE_MAX_LAG_S = 1.5;

export const HOMECAM_LIVE_SCRIPT = `"use strict";
const TOKEN_KEY = "homecam.lanToken";
const MAX_LAG_S = ${LIVE_EDGE_MAX_LAG_S};
const KEEP_BEHIND_S = 20;

/** The token: the token attribute, else #token= in the page URL (never sent to a server), else sessionStorage. */
function lanToken(el) {
  const hash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (hash) {
    sessionStorage.setItem(TOKEN_KEY, hash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return el.getAttribute("token") || sessionStorage.getItem(TOKEN_KEY);
}

class HomecamLive extends HTMLElement {
  connectedCallback() {
    if (this.video) return;
    this.video = document.createElement("video");
    this.video.muted = true;
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.style.width = "100%";
    this.status = document.createElement("p");
    this.status.setAttribute("role", "status");
    this.append(this.video, this.status);
    this.start();
  }

  disconnectedCallback() {
    if (this.socket) this.socket.close(1000);
  }

  show(text) {
    this.status.textContent = text;
    this.dataset.state = text ? "error" : "playing";
  }

  async start() {
    const camera = this.getAttribute("camera");
    const token = lanToken(this);
    if (!camera) return this.show("No camera given.");
    if (!token) return this.show("No viewer token: open this page from the homecam app.");
    if (await this.tryWhep(camera, token)) return;
    this.playFallback(camera, token);
  }

  /** WebRTC (WHEP) comes later; resolve true once it plays so the fallback is not opened. */
  async tryWhep(_camera, _token) {
    return false;
  }

  playFallback(camera, token) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/api/cameras/" + encodeURIComponent(camera) + "/live");
    this.socket = socket;
    socket.binaryType = "arraybuffer";
    this.queue = [];
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token }));
    socket.onmessage = (msg) => {
      if (typeof msg.data !== "string") return this.enqueue(msg.data);
      const m = JSON.parse(msg.data);
      if (m.type === "stream") this.openMedia(m.mimeType);
      else if (m.type === "error") this.show(m.message);
    };
    socket.onclose = (ev) => {
      if (ev.code !== 1000 && !this.status.textContent) this.show("Live view closed (" + ev.code + ").");
    };
  }

  openMedia(mimeType) {
    if (!window.MediaSource || !MediaSource.isTypeSupported(mimeType)) {
      this.show("This browser cannot play " + mimeType + ".");
      this.socket.close(1000);
      return;
    }
    this.queue = [];
    this.media = new MediaSource();
    this.sourceBuffer = undefined;
    this.video.src = URL.createObjectURL(this.media);
    this.media.addEventListener("sourceopen", () => {
      this.sourceBuffer = this.media.addSourceBuffer(mimeType);
      this.sourceBuffer.addEventListener("updateend", () => this.afterAppend());
      this.pump();
    }, { once: true });
  }

  enqueue(bytes) {
    this.queue.push(bytes);
    this.pump();
  }

  pump() {
    const sb = this.sourceBuffer;
    if (!sb || sb.updating || this.queue.length === 0) return;
    try {
      sb.appendBuffer(this.queue.shift());
    } catch (err) {
      this.show("Playback error: " + err.message);
      this.socket.close(1000);
    }
  }

  /** Keep near the live edge: the server skips a slow viewer to key frames, this skips the gap. */
  afterAppend() {
    const sb = this.sourceBuffer;
    const v = this.video;
    const ranges = sb.buffered;
    if (ranges.length > 0) {
      const end = ranges.end(ranges.length - 1);
      if (v.currentTime < ranges.start(0) || end - v.currentTime > MAX_LAG_S) {
        v.currentTime = Math.max(ranges.start(ranges.length - 1), end - 0.2);
      }
      if (v.paused) v.play().catch(() => {});
      if (v.currentTime - ranges.start(0) > 2 * KEEP_BEHIND_S && this.queue.length === 0) {
        sb.remove(0, v.currentTime - KEEP_BEHIND_S);
        return;
      }
    }
    this.show("");
    this.pump();
  }
}

customElements.define("homecam-live", HomecamLive);
`;
