import { ICE_GATHERED_JS, PAGE_TOKEN_JS, REFRESH_STORAGE_KEY, TOKEN_STORAGE_KEY } from "@homecam/shared";

// The /capture page's script, served as a same-origin file (`/capture/homecam-capture.js`) because
// the LAN app's CSP forbids inline script. Plain browser JS in a string, framework-free, like the
// <homecam-live> element: it opens the phone's camera (rear one where there is a choice), publishes
// it to the agent by WHIP and keeps publishing — after a network loss, an ICE failure or the camera
// track ending — while a Wake Lock keeps the screen (and so the camera) on.

/** Waits between publishing attempts, then the last one repeats. */
export const CAPTURE_RETRY_MS = [1_000, 2_000, 5_000, 10_000] as const;

export const CAPTURE_SCRIPT = `"use strict";
(() => {
  // The same keys as <homecam-live> and the local pair page: one token per tab, never in a URL.
  const TOKEN_KEY = ${JSON.stringify(TOKEN_STORAGE_KEY)};
  const REFRESH_KEY = ${JSON.stringify(REFRESH_STORAGE_KEY)};
  const RETRY_MS = ${JSON.stringify(CAPTURE_RETRY_MS)};
  const $ = (id) => document.getElementById(id);
  const camera = new URLSearchParams(location.search).get("camera") || "";
  const base = "/api/cameras/" + encodeURIComponent(camera) + "/whip";
  const state = { pc: null, session: null, stream: null, attempt: 0, timer: 0, wakeLock: null };
  window.homecamCapture = state;

  const show = (name, text) => {
    document.body.dataset.state = name;
    $("status").textContent = text;
  };

  ${PAGE_TOKEN_JS}
  const token = pageToken;

  /** A new token from the refresh secret a local pairing answered; null without one. */
  async function refreshed() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(REFRESH_KEY) || "null"); } catch {}
    if (!saved) return null;
    const res = await fetch("/api/local/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ viewerId: saved.viewerId, refreshSecret: saved.refreshSecret }),
    }).catch(() => null);
    const body = res && res.ok ? await res.json().catch(() => null) : null;
    if (!body || !body.ok) return null;
    sessionStorage.setItem(TOKEN_KEY, body.data.token);
    return body.data.token;
  }

  /** fetch with the bearer token, renewed once on a 401; null when there is no token at all. */
  async function authed(url, init) {
    const send = (t) => fetch(url, { ...init, headers: { ...(init.headers || {}), Authorization: "Bearer " + t } });
    const t = token();
    let res = t ? await send(t) : null;
    if (!res || res.status === 401) {
      const fresh = await refreshed();
      if (fresh) res = await send(fresh);
    }
    return res;
  }

  ${ICE_GATHERED_JS}

  /** A refusal the user must act on: stop retrying, say what to do. */
  function refused(res) {
    if (res === null || res.status === 401) {
      $("pair").hidden = false;
      return "No valid owner token: type the PIN of homecam pair --local, or open this page from the homecam app.";
    }
    if (res.status === 403) return "This token is a viewer's: publishing a camera needs the owner's.";
    if (res.status === 404) return "The agent has no browser camera " + JSON.stringify(camera) + " (or it is in privacy mode).";
    return null;
  }

  async function openCamera() {
    if (state.stream && state.stream.getVideoTracks().some((t) => t.readyState === "live")) return;
    const res = await authed(base, { method: "GET" });
    const why = refused(res);
    if (why) throw Object.assign(new Error(why), { final: true });
    if (!res.ok) throw new Error("the agent answered HTTP " + res.status);
    const size = (await res.json()).data;
    state.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        facingMode: { ideal: "environment" },
        width: { ideal: size.width },
        height: { ideal: size.height },
        frameRate: { ideal: size.fps, max: size.fps },
      },
    });
    for (const track of state.stream.getVideoTracks()) track.addEventListener("ended", () => retry("the camera stopped"));
    $("preview").srcObject = state.stream;
  }

  async function publish() {
    clearTimeout(state.timer);
    try {
      await openCamera();
      const pc = new RTCPeerConnection();
      state.pc = pc;
      pc.addTransceiver(state.stream.getVideoTracks()[0], { direction: "sendonly", streams: [state.stream] });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, 2000);
      const res = await authed(base, {
        method: "POST",
        headers: { "Content-Type": "application/sdp" },
        body: pc.localDescription.sdp,
      });
      const why = refused(res);
      if (why) throw Object.assign(new Error(why), { final: true });
      if (res.status !== 201) throw new Error("the agent answered HTTP " + res.status);
      state.session = new URL(res.headers.get("Location"), location.href).href;
      await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
      pc.addEventListener("connectionstatechange", () => {
        if (state.pc !== pc) return;
        if (pc.connectionState === "connected") {
          state.attempt = 0;
          show("publishing", "Publishing camera " + camera + " to the agent.");
        } else if (pc.connectionState === "failed" || pc.connectionState === "closed") {
          retry("the connection to the agent was lost");
        }
      });
    } catch (err) {
      if (err && err.final) return show("error", err.message);
      retry(err && err.name === "NotAllowedError" ? "camera permission refused" : String((err && err.message) || err));
    }
  }

  function hangUp() {
    if (state.session) {
      fetch(state.session, { method: "DELETE", keepalive: true, headers: { Authorization: "Bearer " + token() } }).catch(() => {});
    }
    if (state.pc) state.pc.close();
    state.pc = null;
    state.session = null;
  }

  function retry(why) {
    hangUp();
    const wait = RETRY_MS[Math.min(state.attempt++, RETRY_MS.length - 1)];
    show("reconnecting", "Reconnecting in " + Math.round(wait / 1000) + " s (" + why + ").");
    clearTimeout(state.timer);
    state.timer = setTimeout(publish, wait);
  }

  async function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    try { state.wakeLock = await navigator.wakeLock.request("screen"); } catch {}
  }

  $("pair").addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = String(new FormData($("pair")).get("pin") || "").trim();
    const res = await fetch("/api/local/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pin, name: "Camera " + camera }),
    }).catch(() => null);
    const body = res ? await res.json().catch(() => null) : null;
    if (!body || !body.ok) return show("error", "Pairing refused: " + ((body && body.error && body.error.message) || "no answer"));
    sessionStorage.setItem(TOKEN_KEY, body.data.token);
    sessionStorage.setItem(REFRESH_KEY, JSON.stringify({
      deviceId: body.data.deviceId, viewerId: body.data.viewerId, refreshSecret: body.data.refreshSecret,
    }));
    $("pair").hidden = true;
    state.attempt = 0;
    publish();
  });
  document.addEventListener("visibilitychange", keepAwake);
  addEventListener("online", () => { if (!state.pc) publish(); });
  addEventListener("pagehide", hangUp);
  if (!camera) return show("error", "Which camera? Open /capture?camera=<id>.");
  if (!navigator.mediaDevices || !window.RTCPeerConnection) {
    return show("error", "This browser cannot publish a camera here: open the page over http://localhost or https.");
  }
  show("starting", "Starting the camera…");
  keepAwake();
  publish();
})();
`;
