// Plain browser JS shared by the framework-free page scripts (the <homecam-live> element, the
// /capture page, the local pair form), embedded into each script's source string: one copy of how a
// page takes its token and waits for ICE candidates.

/** sessionStorage key of the LAN/access token (per tab, never in a URL). */
export const TOKEN_STORAGE_KEY = "homecam.lanToken";
/** sessionStorage key of a local pairing's `{deviceId, viewerId, refreshSecret}`. */
export const REFRESH_STORAGE_KEY = "homecam.lanRefresh";

/**
 * `pageToken()`: `#token=` in the page URL (moved to sessionStorage and out of the address bar at
 * once; a fragment never reaches a server), else the tab's stored token, else null.
 */
export const PAGE_TOKEN_JS = `function pageToken() {
  const hash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (hash) {
    sessionStorage.setItem(${JSON.stringify(TOKEN_STORAGE_KEY)}, hash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(${JSON.stringify(TOKEN_STORAGE_KEY)});
}`;

/** `gathered(pc, timeoutMs)`: resolves once ICE gathering is complete, or after timeoutMs (WHEP/WHIP without trickle). */
export const ICE_GATHERED_JS = `function gathered(pc, timeoutMs) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
}`;
