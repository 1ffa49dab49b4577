import { ICE_GATHERED_JS, PAGE_TOKEN_JS } from "./browser-snippets.js";

// The `<homecam-live>` custom element, served as a same-origin script (`/live/homecam-live.js`) so
// the LAN app's CSP (no inline script) holds. Plain browser JS in a string, as the cloud's pair page
// does: no bundler, no framework. It tries WebRTC first (WHEP: H.264 passed through from the camera,
// lowest latency), then the fallback: fMP4 over the authenticated WebSocket into MediaSource, held
// near the live edge.

/** Seconds behind the live edge after which the element jumps forward. */
export const LIVE_EDGE_MAX_LAG_S = 1.5;

/** How long WebRTC may take to show a first frame before the element falls back to fMP4. */
export const WHEP_FIRST_FRAME_MS = 5_000;

export const HOMECAM_LIVE_SCRIPT = `"use strict";
const MAX_LAG_S = ${LIVE_EDGE_MAX_LAG_S};
const KEEP_BEHIND_S = 20;
const WHEP_FIRST_FRAME_MS = ${WHEP_FIRST_FRAME_MS};

/** The token: the token attribute, else #token= in the page URL, else sessionStorage. */
function lanToken(el) {
  const stored = pageToken();
  return el.getAttribute("token") || stored;
}

${PAGE_TOKEN_JS}

${ICE_GATHERED_JS}

/** true once the video element has a decoded frame, false after timeoutMs. */
function firstFrame(video, timeoutMs) {
  if (video.readyState >= 2) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    video.addEventListener("loadeddata", () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
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
    this.endWhep();
  }

  show(text) {
    this.status.textContent = text;
    this.dataset.state = text ? "error" : "playing";
  }

  async start() {
    const camera = this.getAttribute("camera");
    // "websocket" skips WebRTC (a network that blocks UDP, or testing the fallback itself).
    const transport = new URLSearchParams(location.hash.slice(1)).get("transport") || this.getAttribute("transport");
    const token = lanToken(this);
    if (!camera) return this.show("No camera given.");
    if (!token) return this.show("No viewer token: open this page from the homecam app.");
    if (transport !== "websocket" && (await this.tryWhep(camera, token))) return;
    // The cloud relays only WebRTC signalling (the video never crosses it): no fallback there.
    if (this.getAttribute("fallback") === "none") return this.show("Live view could not connect over WebRTC.");
    this.playFallback(camera, token);
  }

  /** STUN/TURN servers from the ice-servers attribute's URL (the cloud mints TURN credentials). */
  async iceServers(token) {
    const url = this.getAttribute("ice-servers");
    if (!url) return [];
    const res = await fetch(url, { headers: { Authorization: "Bearer " + token } });
    if (!res.ok) return [];
    const body = await res.json();
    return (body && body.data && body.data.iceServers) || [];
  }

  /**
   * WebRTC via WHEP: true once a decoded frame is on screen, false (the fallback opens) when the
   * browser has no WebRTC, the agent refuses, or no frame arrives within WHEP_FIRST_FRAME_MS.
   */
  async tryWhep(camera, token) {
    if (!window.RTCPeerConnection) return false;
    let pc;
    try {
      pc = new RTCPeerConnection({ iceServers: await this.iceServers(token) });
      this.pc = pc;
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.ontrack = (ev) => {
        this.video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      };
      await pc.setLocalDescription(await pc.createOffer());
      // WHEP without trickle: the offer must carry the candidates (bounded wait).
      await gathered(pc, 2000);
      const res = await fetch("/api/cameras/" + encodeURIComponent(camera) + "/whep", {
        method: "POST",
        headers: { Authorization: "Bearer " + token, "Content-Type": "application/sdp" },
        body: pc.localDescription.sdp,
      });
      if (res.status !== 201) throw new Error("WHEP answered " + res.status);
      this.whepSession = new URL(res.headers.get("Location"), location.href).href;
      this.whepToken = token;
      await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
      if (!(await firstFrame(this.video, WHEP_FIRST_FRAME_MS))) throw new Error("no frame over WebRTC");
      this.dataset.transport = "webrtc";
      this.show("");
      return true;
    } catch (err) {
      this.endWhep();
      return false;
    }
  }

  /** Close the peer and DELETE the session (keepalive: it must survive a page being closed). */
  endWhep() {
    if (this.pc) this.pc.close();
    this.pc = undefined;
    this.video.srcObject = null;
    if (this.whepSession) {
      fetch(this.whepSession, { method: "DELETE", keepalive: true, headers: { Authorization: "Bearer " + this.whepToken } }).catch(() => {});
    }
    this.whepSession = undefined;
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
