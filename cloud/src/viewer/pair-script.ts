// The claim page's script, served same-origin as /pair/claim.js. Plain ES2017, no dependencies.
// The pairing id and PIN are read from the URL fragment, which is removed at once, and then live
// only in this closure: never in storage, never in a URL. Only the access token (and the account's
// display name) go to sessionStorage, which dies with the tab (pair-api.ts). Error wording is in
// pair-words.ts.

import { PAIR_API_JS } from "./pair-api.js";
import { PAIR_WORDS_JS } from "./pair-words.js";

export const PAIR_JS =
  `"use strict";
(function () {
  var PID_RE = /^[A-Za-z0-9_-]{22,64}$/;
  var PIN_RE = /^[0-9]{6}$/;
  var VIEWS = ["signin", "register", "pin", "preview", "done"];
` +
  PAIR_WORDS_JS +
  PAIR_API_JS +
  `
  // The checked claim the Pair button sends: {pairingId, pin} (QR) or {pin} (typed).
  var claim = null;
  // A link's pairing id whose PIN must be typed (missing from the link, or typed wrong).
  var pendingPid = null;

  function $(id) {
    return document.getElementById(id);
  }

  function say(text) {
    $("status").textContent = text || "";
  }

  function fail(text) {
    $("error").textContent = text || "";
  }

  // Shows one view; focus moves to its heading (or focusId) so screen readers follow along.
  function view(name, focusId) {
    VIEWS.forEach(function (v) {
      $(v + "-view").hidden = v !== name;
    });
    var signedIn = Boolean(token());
    $("account-bar").hidden = !signedIn;
    var who = signedIn && sessionStorage.getItem(NAME_KEY);
    $("account-name").textContent = who ? "Signed in as " + who + "." : "Signed in.";
    var target = $(focusId || name + "-title");
    if (target) target.focus();
  }


  // Takes #pid=…&pin=… (or #pin=…) from the address and removes the fragment at once, so the
  // secrets stay neither in the address bar nor in the session history. True when there was one.
  function takeLink() {
    if (location.href.indexOf("#") < 0) return false;
    var params = new URLSearchParams(location.hash.slice(1));
    history.replaceState(history.state, "", location.pathname + location.search);
    var pids = params.getAll("pid");
    var pins = params.getAll("pin");
    // A repeated value is ambiguous: treat it like a missing one rather than guess.
    var pid = pids.length === 1 && PID_RE.test(pids[0]) ? pids[0] : null;
    var pin = pins.length === 1 && PIN_RE.test(pins[0]) ? pins[0] : null;
    claim = null;
    pendingPid = null;
    fail("");
    if (pin && (pid || pids.length === 0)) {
      claim = pid ? { pairingId: pid, pin: pin } : { pin: pin };
    } else if (pid) {
      pendingPid = pid;
      say("Type the PIN the camera shows to pair it.");
    } else if (pids.length || pins.length) {
      fail("This pairing link is incomplete. Type the PIN the camera shows instead.");
    }
    return true;
  }

  // Where the page goes from here: sign in first, then check the claim or ask for a PIN.
  function next() {
    if (!token()) {
      if (claim || pendingPid) say("Sign in or create an account to pair the device.");
      view("signin");
      return;
    }
    if (claim) {
      check(claim);
      return;
    }
    view("pin", "pin");
  }

  async function signIn(event) {
    event.preventDefault();
    fail("");
    var r = await api("/api/auth/login", { email: $("signin-email").value, password: $("signin-password").value });
    if (!r.ok) return fail(describe(r, "signin"));
    $("signin-password").value = "";
    remember(r.data);
    say("");
    next();
  }

  async function register(event) {
    event.preventDefault();
    fail("");
    var r = await api("/api/auth/register", {
      name: $("register-name").value,
      email: $("register-email").value,
      password: $("register-password").value,
      agreeTerms: $("register-terms").checked,
      agreePrivacy: $("register-privacy").checked,
    });
    if (!r.ok) return fail(describe(r, "register"));
    $("register-password").value = "";
    remember(r.data);
    say("Account created. We sent a verification code to " + r.data.user.email + ".");
    next();
  }

  async function signOut() {
    fail("");
    say("");
    var t = token();
    forget();
    if (t) {
      // Ends the session on the server too; the tab forgets the token whatever the answer.
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + t },
        body: "{}",
      }).catch(function () {});
    }
    view("signin");
  }

  // POST /api/qr/validate: what the claim would pair, shown before anything is paired.
  async function check(c) {
    fail("");
    say("Checking the code…");
    var r = await api("/api/qr/validate", c, true);
    if (!r.ok) return pairFailed(r, c);
    say("");
    claim = c;
    pendingPid = null;
    $("device-name").textContent = r.data.device.name;
    var list = $("camera-list");
    list.textContent = "";
    var names = r.data.cameras.map(function (cam) {
      return cam.name;
    });
    (names.length ? names : ["No cameras yet"]).forEach(function (name) {
      var li = document.createElement("li");
      li.textContent = name;
      list.appendChild(li);
    });
    var expires = new Date(r.data.expiresAt);
    $("expires-at").setAttribute("datetime", r.data.expiresAt);
    $("expires-at").textContent = expires.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    view("preview", "pair-button");
  }

  // POST /api/connection/establish: the first claimer of a device owns it, later ones view it.
  async function pair() {
    var c = claim;
    if (!c) return view("pin", "pin");
    fail("");
    say("Pairing…");
    var r = await api("/api/connection/establish", c, true);
    if (!r.ok) return pairFailed(r, c);
    claim = null;
    say("");
    $("done-title").textContent = "Paired as " + r.data.role + " of " + r.data.deviceName;
    $("done-detail").textContent =
      r.data.role === "owner"
        ? "You own this device: you can watch its cameras, change its settings and invite others."
        : "You can watch this device's cameras; its owner manages it.";
    view("done");
  }

  function pairFailed(r, c) {
    say("");
    claim = null;
    if (r.code === "E_UNAUTHORIZED" || r.code === "E_TOKEN_EXPIRED") {
      // Keep the claim: once signed in again, it is checked again.
      claim = c;
      forget();
      view("signin");
      fail("Your session has ended: sign in again.");
      return;
    }
    // The same pairing id stays worth a retry after a wrong PIN or a failure that was not ours.
    var wrongPin = r.code === "E_VALIDATION" && typeof r.details.attemptsLeft === "number";
    var retry = wrongPin || r.code === "E_NETWORK" || r.status >= 500;
    pendingPid = retry && c.pairingId ? c.pairingId : null;
    view("pin", "pin");
    fail(describe(r, "pair"));
  }

  function typedPin(event) {
    event.preventDefault();
    var pin = $("pin").value.trim();
    if (!PIN_RE.test(pin)) return fail("The PIN is the 6 digits the camera shows.");
    $("pin").value = "";
    check(pendingPid ? { pairingId: pendingPid, pin: pin } : { pin: pin });
  }

  function start() {
    $("signin-form").addEventListener("submit", signIn);
    $("register-form").addEventListener("submit", register);
    $("pin-form").addEventListener("submit", typedPin);
    $("pair-button").addEventListener("click", pair);
    $("signout-button").addEventListener("click", signOut);
    $("show-register").addEventListener("click", function () {
      fail("");
      view("register");
    });
    $("show-signin").addEventListener("click", function () {
      fail("");
      view("signin");
    });
    $("cancel-button").addEventListener("click", function () {
      claim = null;
      pendingPid = null;
      view("pin", "pin");
    });
    $("again-button").addEventListener("click", function () {
      say("");
      view("pin", "pin");
    });
    // A second pairing link opened in this tab changes only the fragment: no page load.
    window.addEventListener("hashchange", function () {
      if (takeLink()) next();
    });
    takeLink();
    next();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
`;
