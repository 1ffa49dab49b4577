// Part of the claim page's script (pair-script.ts): the session kept in sessionStorage and the
// one way the page talks to the API. sessionStorage, not localStorage: the token dies with the tab,
// and a shared family tablet does not stay signed in.

/** Defines token(), remember(session), forget(), busy(on) and api(path, body, withAuth). */
export const PAIR_API_JS = `
  var TOKEN_KEY = "homecam.accessToken";
  var NAME_KEY = "homecam.userName";

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function remember(session) {
    sessionStorage.setItem(TOKEN_KEY, session.accessToken);
    sessionStorage.setItem(NAME_KEY, (session.user && session.user.name) || "");
  }

  function forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(NAME_KEY);
  }

  function busy(on) {
    document.body.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(document.querySelectorAll("button"), function (b) {
      b.disabled = on;
    });
  }

  // POST JSON to this origin; resolves to {ok, data} or {ok: false, code, message, details, ...}.
  async function api(path, body, withAuth) {
    var headers = { "content-type": "application/json", accept: "application/json" };
    var t = token();
    if (withAuth && t) headers.authorization = "Bearer " + t;
    busy(true);
    try {
      var res;
      try {
        res = await fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body), cache: "no-store" });
      } catch (e) {
        return { ok: false, code: "E_NETWORK", status: 0, message: "" };
      }
      var env = null;
      try {
        env = await res.json();
      } catch (e) {
        env = null;
      }
      if (res.ok && env && env.ok === true) return { ok: true, data: env.data };
      var err = (env && env.error) || {};
      return {
        ok: false,
        status: res.status,
        code: typeof err.code === "string" ? err.code : "E_HTTP",
        message: typeof err.message === "string" ? err.message : "",
        details: err.details && typeof err.details === "object" ? err.details : {},
        retryAfter: Number(res.headers.get("retry-after")) || null,
      };
    } finally {
      busy(false);
    }
  }
`;
