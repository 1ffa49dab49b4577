import { REFRESH_STORAGE_KEY, TOKEN_STORAGE_KEY } from "@homecam/shared";
import { Router } from "express";

// The script of the local pair page (`/pair?local=1`, rendered by pair-page.ts): served as a
// same-origin file because the LAN app's CSP forbids inline script. It trades the console PIN for a
// device-signed LAN token (`POST /api/local/pair`), keeps the token in sessionStorage where the
// <homecam-live> element reads it (per tab, gone with it; never in a URL, so never in history or a
// Referer), and opens the live page of the camera typed in the form.

export const LOCAL_PAIR_SCRIPT_PATH = "/pair/local-pair.js";

/** Plain ES2020 for the browser; kept as a string so the agent ships no build step for it. */
export const LOCAL_PAIR_SCRIPT = `"use strict";
(() => {
  // Read by <homecam-live> (shared/src/viewer/homecam-live-script.ts).
  const TOKEN_KEY = ${JSON.stringify(TOKEN_STORAGE_KEY)};
  // For renewing without a new PIN (POST /api/local/refresh); the full viewer app will use it.
  const REFRESH_KEY = ${JSON.stringify(REFRESH_STORAGE_KEY)};
  const form = document.getElementById("local-pair");
  const status = document.getElementById("local-pair-status");
  if (!form || !status) return;
  const show = (text) => {
    status.textContent = text;
  };
  const why = (httpStatus, body) => {
    const code = body && body.error ? body.error.code : "";
    if (code === "E_UNAUTHORIZED") return "Wrong PIN. Five wrong PINs close the session.";
    if (code === "E_GONE") return "No pairing session is open: run homecam pair --local on the device.";
    if (code === "E_RATE_LIMITED") return "Too many tries from this device: wait a minute.";
    if (body && body.error && body.error.message) return "Pairing refused: " + body.error.message;
    return "Pairing failed (HTTP " + httpStatus + ").";
  };
  const openLive = (camera, role) => {
    show("Paired as " + role + ". Opening the live view…");
    location.assign("/live?camera=" + encodeURIComponent(camera));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const pin = String(fields.get("pin") || "").trim();
    const name = String(fields.get("name") || "").trim();
    const camera = String(fields.get("camera") || "").trim();
    if (!/^[0-9]{6}$/.test(pin)) return show("The PIN is the 6 digits shown on the device.");
    if (camera && !/^[A-Za-z0-9_-]{1,64}$/.test(camera)) return show("A camera id is letters, digits, - and _.");
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    show("Pairing…");
    try {
      const res = await fetch("/api/local/pair", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(name ? { pin, name } : { pin }),
        credentials: "omit",
      });
      const body = await res.json().catch(() => null);
      if (!res.ok || !body || !body.ok) return show(why(res.status, body));
      const data = body.data;
      sessionStorage.setItem(TOKEN_KEY, data.token);
      sessionStorage.setItem(REFRESH_KEY, JSON.stringify({
        deviceId: data.deviceId, viewerId: data.viewerId, refreshSecret: data.refreshSecret,
      }));
      if (camera) return openLive(camera, data.role);
      // No camera typed: the device's list (the new token is the credential).
      const list = await fetch("/api/cameras", { headers: { Authorization: "Bearer " + data.token } })
        .then((r) => r.json()).catch(() => null);
      const cameras = list && list.ok ? list.data : [];
      if (cameras.length === 1) return openLive(cameras[0].id, data.role);
      show("Paired as " + data.role + ". Choose a camera:");
      const ul = document.getElementById("local-pair-cameras");
      for (const c of cameras) {
        const a = document.createElement("a");
        a.href = "/live?camera=" + encodeURIComponent(c.id);
        a.textContent = c.name + " (" + c.status + ")";
        const li = document.createElement("li");
        li.append(a);
        ul.append(li);
      }
    } catch {
      show("The device did not answer: are you on its network?");
    } finally {
      if (button) button.disabled = false;
    }
  });
})();
`;

/** `GET /pair/local-pair.js`: static and secret-free, so served without a token (mount in front of the gate). */
export function localPairPageRoutes(): Router {
  return Router().get(LOCAL_PAIR_SCRIPT_PATH, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.type("text/javascript").send(LOCAL_PAIR_SCRIPT);
  });
}
