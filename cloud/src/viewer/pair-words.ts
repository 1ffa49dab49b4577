// Part of the claim page's script (pair-script.ts): every error envelope the page can meet, in
// plain words. The page branches on `error.code` (stable, see shared/src/errors.ts) and on
// `details`, never on the server's English message, which is only the last resort.

/** `describe(r, where)`: r is api()'s failure, where is "signin" | "register" | "pair". */
export const PAIR_WORDS_JS = `
  var FIELDS = {
    email: "E-mail",
    password: "Password",
    name: "Name",
    agreeTerms: "Terms of service",
    agreePrivacy: "Privacy policy",
    pin: "PIN",
  };

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function delay(seconds) {
    if (!seconds || seconds < 1) return "in a moment";
    if (seconds < 90) return "in " + plural(Math.ceil(seconds), "second");
    return "in " + plural(Math.ceil(seconds / 60), "minute");
  }

  function sentence(text) {
    var t = String(text || "").trim();
    if (!t) return "";
    t = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?]$/.test(t) ? t : t + ".";
  }

  function issues(details) {
    var list = Array.isArray(details.issues) ? details.issues : [];
    return list
      .map(function (i) {
        var field = FIELDS[i && i.path];
        return (field ? field + ": " : "") + String((i && i.message) || "not valid");
      })
      .join("; ");
  }

  function describe(r, where) {
    var d = r.details || {};
    switch (r.code) {
      case "E_NETWORK":
        return "Could not reach the server. Check your connection and try again.";
      case "E_GONE":
        // Expired, claimed by someone, replaced by a newer QR code, or closed after wrong PINs.
        return "This code expired or was already used: ask for a new one.";
      case "E_CONFLICT":
        if (where === "register") return "An account with this e-mail already exists: sign in instead.";
        // Someone claimed the code between its check and this claim.
        return "This code was already used: ask for a new one.";
      case "E_RATE_LIMITED":
        return "Too many attempts. Try again " + delay(r.retryAfter || Number(d.retryAfterSeconds)) + ".";
      case "E_NOT_FOUND":
        return "No pairing code matches this PIN. Check the digits and try again.";
      case "E_UNAUTHORIZED":
        if (where === "signin") return "Wrong e-mail or password.";
        return "Your session has ended: sign in again.";
      case "E_TOKEN_EXPIRED":
        return "Your session has ended: sign in again.";
      case "E_FORBIDDEN":
        if (where === "signin") return "This account is deactivated.";
        return "You are not allowed to do this.";
      case "E_VALIDATION":
        if (typeof d.attemptsLeft === "number") return "Wrong PIN: " + plural(d.attemptsLeft, "attempt") + " left.";
        if (issues(d)) return "Please check: " + sentence(issues(d));
        break;
      case "E_INTERNAL":
      case "E_DATABASE_ERROR":
        return "The server had a problem. Try again in a moment.";
    }
    return sentence(r.message) || "Something went wrong (" + r.code + "). Try again.";
  }
`;
