import { buildPairingUrl, type PairingSession, parsePairingUrl } from "@homecam/shared";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIRING_TTL_MS } from "../../../src/pairing/pairing-service.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { type ClaimApp, ClaimPage, launchChromium, MIN, startClaimApp, TYPED_LIMIT } from "./claim-app.js";

// The claim page a pairing QR code opens, driven in real Chromium against a real cloud: the user
// signs up through the page's own form, the page checks and claims the code through the real
// pairing API, and the grant lands in the database. One tab per dialect, its steps in order.

const PASSWORD = "correct horse battery staple";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A six-digit PIN `k` away from `pin` (never `pin` itself for 0 < k < 10^6). */
function otherPin(pin: string, k: number): string {
  return ((Number(pin) + k) % 1_000_000).toString().padStart(6, "0");
}

/** The QR's URL, on this test server: the agent's real URL carries the cloud's public URL. */
function link(app: ClaimApp, s: PairingSession): string {
  expect(parsePairingUrl(s.url)).toEqual({ pairingId: s.pairingId, pin: s.pin });
  expect(new URL(s.url).pathname).toBe("/pair");
  return buildPairingUrl(app.app.url, s);
}

describe.each(TEST_DIALECTS)("the /pair claim page in Chromium on %s", (dialect) => {
  let database: TestDatabase;
  let c: ClaimApp;
  let context: BrowserContext;
  let tab: ClaimPage;
  let garage: TestDevice;
  const email = `pair-${dialect}@example.test`;
  const secrets: string[] = [PASSWORD];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    c = await startClaimApp(database);
    garage = await c.newDevice("Garage Pi", ["Driveway", "Side door"]);
    context = await browser.newContext();
    tab = new ClaimPage(await context.newPage(), c.app.url);
  });
  afterAll(async () => {
    await context?.close();
    await c?.close();
    await database?.dispose();
  });

  const session = async (device: TestDevice) => {
    const s = await c.openSession(device);
    secrets.push(s.pairingId);
    return s;
  };

  it("clears the fragment at once, signs up through the page, shows the device and pairs as owner", async () => {
    const s = await session(garage);
    await tab.open(link(c, s));
    await tab.view("signin");
    expect(tab.page.url()).toBe(`${c.app.url}/pair`);
    expect(await tab.evaluate("location.hash")).toBe("");
    expect(await tab.text("#status")).toBe("Sign in or create an account to pair the device.");

    await tab.click("Create an account");
    await tab.view("register");
    await tab.fill("Name", "Ada Lovelace");
    await tab.fill("E-mail", email);
    await tab.fill("Password", PASSWORD);
    await tab.page.getByLabel("I accept the terms of service").check();
    await tab.page.getByLabel("I accept the privacy policy").check();
    await tab.settle(() => tab.click("Create account"));

    await tab.view("preview");
    expect(await tab.text("#device-name")).toBe("Garage Pi");
    expect(await tab.page.locator("#camera-list li").allTextContents()).toEqual(["Driveway", "Side door"]);
    expect(await tab.page.locator("#expires-at").getAttribute("datetime")).toBe(s.expiresAt);
    expect(await tab.text("#account-name")).toBe("Signed in as Ada Lovelace.");
    expect(await c.grants(garage.id)).toEqual({});

    await tab.settle(() => tab.click("Pair"));
    await tab.view("done");
    expect(await tab.text("#done-title")).toBe("Paired as owner of Garage Pi");
    expect(await c.grants(garage.id)).toEqual({ [email]: "owner" });
    // Only the access token is kept, in this tab's sessionStorage; the URL never got the secrets back.
    const stored = String(await tab.evaluate("JSON.stringify(sessionStorage)"));
    expect(stored).toContain("homecam.accessToken");
    expect(stored).not.toContain(s.pairingId);
    expect(stored).not.toContain(s.pin);
    expect(tab.page.url()).toBe(`${c.app.url}/pair`);
  });

  it("says how many attempts a wrong PIN left, takes the typed PIN for the same code, and reports a code claimed meanwhile", async () => {
    const s = await session(garage);
    const wrong = otherPin(s.pin, 1);
    // Same document (/pair): only the fragment changes and the page picks it up from hashchange.
    await tab.settle(() => tab.open(`${c.app.url}/pair#pid=${s.pairingId}&pin=${wrong}`));
    await tab.view("pin");
    expect(await tab.text("#error")).toBe("Wrong PIN: 4 attempts left.");
    expect(await tab.evaluate("location.hash")).toBe("");

    await tab.typePin(s.pin);
    await tab.view("preview");
    expect(await tab.text("#device-name")).toBe("Garage Pi");

    const other = await c.app.createUser();
    const taken = await call(c.app.url, "POST", "/api/connection/establish", {
      auth: c.app.bearer(other),
      body: { pairingId: s.pairingId, pin: s.pin },
    });
    expect(taken.body.data.role).toBe("viewer");
    await tab.settle(() => tab.click("Pair"));
    await tab.view("pin");
    expect(await tab.text("#error")).toBe("This code expired or was already used: ask for a new one.");
    expect(Object.values(await c.grants(garage.id)).sort()).toEqual(["owner", "viewer"]);
  });

  it("tells an expired code and a code burned by wrong PINs to ask for a new one", async () => {
    const expired = await session(garage);
    c.clock.now += PAIRING_TTL_MS + MIN;
    await tab.settle(() => tab.open(link(c, expired)));
    await tab.view("pin");
    expect(await tab.text("#error")).toBe("This code expired or was already used: ask for a new one.");

    const burned = await session(garage);
    const stranger = await c.app.createUser();
    const answers: number[] = [];
    for (let k = 1; k <= 5; k++) {
      const r = await call(c.app.url, "POST", "/api/qr/validate", {
        auth: c.app.bearer(stranger),
        body: { pairingId: burned.pairingId, pin: otherPin(burned.pin, k) },
      });
      answers.push(r.status);
    }
    expect(answers).toEqual([400, 400, 400, 400, 410]);
    await tab.settle(() => tab.open(link(c, burned)));
    await tab.view("pin");
    expect(await tab.text("#error")).toBe("This code expired or was already used: ask for a new one.");
  });

  it("pairs through the typed-PIN path: /pair without a fragment offers the 6-digit field", async () => {
    const porch = await c.newDevice("Porch Pi");
    const s = await session(porch);
    await tab.open(`${c.app.url}/pair`);
    await tab.view("pin");
    expect(await tab.text("#error")).toBe("");
    await tab.typePin(s.pin);
    await tab.view("preview");
    expect(await tab.text("#device-name")).toBe("Porch Pi");
    expect(await tab.page.locator("#camera-list li").allTextContents()).toEqual(["No cameras yet"]);
    await tab.settle(() => tab.click("Pair"));
    await tab.view("done");
    expect(await tab.text("#done-title")).toBe("Paired as owner of Porch Pi");
    expect(await c.grants(porch.id)).toEqual({ [email]: "owner" });
  });

  it("explains a typed PIN that matches nothing, then the rate limit with its Retry-After delay", async () => {
    await tab.click("Pair another device");
    await tab.view("pin");
    for (let i = 0; i < TYPED_LIMIT; i++) {
      await tab.typePin("999999");
      expect(await tab.text("#error")).toBe(
        "No pairing code matches this PIN. Check the digits and try again.",
      );
    }
    await tab.typePin("999999");
    expect(await tab.text("#error")).toMatch(/^Too many attempts\. Try again in \d+ (minutes|seconds)\.$/);
  });

  it("signs out, refuses a wrong password, and signs in with the login form to pair a link opened signed out", async () => {
    await tab.settle(() => tab.click("Sign out"));
    await tab.view("signin");
    expect(await tab.evaluate("sessionStorage.length")).toBe(0);
    const hall = await c.newDevice("Hall Pi", ["Hall"]);
    const s = await session(hall);
    await tab.open(link(c, s));
    await tab.view("signin");
    await tab.fill("E-mail", email);
    await tab.fill("Password", "not the password");
    await tab.settle(() => tab.click("Sign in"));
    expect(await tab.text("#error")).toBe("Wrong e-mail or password.");
    await tab.fill("Password", PASSWORD);
    await tab.settle(() => tab.click("Sign in"));
    await tab.view("preview");
    expect(await tab.text("#device-name")).toBe("Hall Pi");
    await tab.settle(() => tab.click("Pair"));
    expect(await tab.text("#done-title")).toBe("Paired as owner of Hall Pi");
    expect(await c.grants(hall.id)).toEqual({ [email]: "owner" });
  });

  it("met no CSP violation or script error, and no secret reached the server's logs", () => {
    expect(tab.problems).toEqual([]);
    const logged = JSON.stringify(c.app.logs);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });
});
