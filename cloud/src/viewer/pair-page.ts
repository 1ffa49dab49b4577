// The pairing claim page (`/pair`), which the QR code an agent shows opens: static HTML + a
// same-origin script + a stylesheet, no framework and no CDN. Every view is in the markup from the
// start, hidden; the script only toggles `hidden` and sets textContent, so nothing a server answer
// contains can become markup. Forms say method="post": should the script not run, a submission
// can never put a password or PIN in a URL (and the page's CSP forbids submitting at all).

/** Where the page's script and stylesheet are served (same origin, see pair-page-routes.ts). */
export const PAIR_SCRIPT_PATH = "/pair/claim.js";
export const PAIR_STYLE_PATH = "/pair/pair.css";

export const PAIR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Pair a camera · homecam</title>
<link rel="stylesheet" href="${PAIR_STYLE_PATH}">
<script src="${PAIR_SCRIPT_PATH}" defer></script>
</head>
<body>
<main>
<h1>Pair a camera</h1>
<p id="account-bar" hidden><span id="account-name">Signed in.</span>
<button type="button" id="signout-button" class="link">Sign out</button></p>
<p id="status" role="status" aria-live="polite"></p>
<p id="error" role="alert"></p>

<section id="signin-view" aria-labelledby="signin-title" hidden>
<h2 id="signin-title" tabindex="-1">Sign in</h2>
<form id="signin-form" method="post">
<label for="signin-email">E-mail</label>
<input id="signin-email" name="email" type="email" autocomplete="username" required>
<label for="signin-password">Password</label>
<input id="signin-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p>No account yet? <button type="button" id="show-register" class="link">Create an account</button></p>
</section>

<section id="register-view" aria-labelledby="register-title" hidden>
<h2 id="register-title" tabindex="-1">Create an account</h2>
<form id="register-form" method="post">
<label for="register-name">Name</label>
<input id="register-name" name="name" type="text" autocomplete="name" maxlength="50" required>
<label for="register-email">E-mail</label>
<input id="register-email" name="email" type="email" autocomplete="email" maxlength="254" required>
<label for="register-password">Password</label>
<input id="register-password" name="password" type="password" autocomplete="new-password"
 minlength="10" maxlength="256" aria-describedby="register-password-hint" required>
<p id="register-password-hint" class="hint">At least 10 characters; a passphrase is best.</p>
<label class="check" for="register-terms"><input id="register-terms" name="agreeTerms" type="checkbox"
 required> I accept the terms of service</label>
<label class="check" for="register-privacy"><input id="register-privacy" name="agreePrivacy"
 type="checkbox" required> I accept the privacy policy</label>
<button type="submit">Create account</button>
</form>
<p>Already have an account? <button type="button" id="show-signin" class="link">Sign in</button></p>
</section>

<section id="pin-view" aria-labelledby="pin-title" hidden>
<h2 id="pin-title" tabindex="-1">Enter the pairing PIN</h2>
<form id="pin-form" method="post">
<label for="pin">PIN</label>
<input id="pin" name="pin" type="text" inputmode="numeric" autocomplete="one-time-code"
 pattern="[0-9]{6}" minlength="6" maxlength="6" aria-describedby="pin-hint" required>
<p id="pin-hint" class="hint">The 6 digits the camera shows, or that its owner sent you.</p>
<button type="submit">Check</button>
</form>
</section>

<section id="preview-view" aria-labelledby="preview-title" hidden>
<h2 id="preview-title" tabindex="-1">Pair this device?</h2>
<dl>
<dt>Device</dt><dd id="device-name"></dd>
<dt>Cameras</dt><dd><ul id="camera-list"></ul></dd>
<dt>Code valid until</dt><dd><time id="expires-at"></time></dd>
</dl>
<button type="button" id="pair-button">Pair</button>
<button type="button" id="cancel-button" class="secondary">Not this one</button>
</section>

<section id="done-view" aria-labelledby="done-title" hidden>
<h2 id="done-title" tabindex="-1"></h2>
<p id="done-detail"></p>
<button type="button" id="again-button" class="secondary">Pair another device</button>
</section>
<noscript><p>This page needs JavaScript to pair a camera.</p></noscript>
</main>
</body>
</html>
`;

/** Mobile first: one column, inputs and buttons at least 48 px tall, a large PIN field. */
export const PAIR_CSS = `*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:17px/1.5 system-ui,sans-serif;color:#1d2330;background:#f6f7f9}
main{max-width:28rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:0 0 .5rem}
h2:focus{outline:none}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.9rem 0 .25rem}
label.check{display:flex;gap:.6rem;align-items:flex-start;font-weight:normal}
input[type=text],input[type=email],input[type=password]{width:100%;min-height:3rem;padding:.5rem .75rem;
font:inherit;color:inherit;background:#fff;border:1px solid #8a93a3;border-radius:6px}
input[type=checkbox]{width:1.5rem;height:1.5rem;margin:0;flex:none}
#pin{font:600 2rem/1.2 ui-monospace,monospace;letter-spacing:.4em;text-align:center;padding-left:.4em}
button{display:block;width:100%;min-height:3rem;margin:1rem 0 0;padding:.5rem 1rem;font:inherit;font-weight:600;
color:#fff;background:#1f5fcf;border:1px solid #1f5fcf;border-radius:6px;cursor:pointer}
button.secondary{color:#1f5fcf;background:#fff}
button.link{display:inline;width:auto;min-height:0;margin:0;padding:0;color:#1f5fcf;background:none;border:0;
font-weight:normal;text-decoration:underline}
button:disabled{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid #c26a00;outline-offset:2px}
#status:empty,#error:empty{display:none}
#error{color:#b42318;font-weight:600}
#account-bar{color:#4a5363}
dl{margin:0}
dt{font-weight:600;color:#4a5363;margin-top:.6rem}
dd{margin:0}
ul{margin:0;padding-left:1.2rem}
.hint{color:#4a5363;font-size:.95rem;margin:.25rem 0 0}
@media (min-width:40rem){main{padding:2rem 1rem}}
`;
