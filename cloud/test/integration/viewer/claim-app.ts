import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { PairingSession } from "@homecam/shared";
import { type Browser, chromium, type Page } from "playwright-core";
import { pairingRoutes } from "../../../src/pairing/pairing-routes.js";
import { pairPageRoutes } from "../../../src/viewer/pair-page-routes.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// The cloud app with the pairing API and the claim page mounted, an injected clock (the browser
// never reads it: every expiry is decided by the server), and helpers to open pairing sessions as
// a real signed-in device and to drive the page in Chromium.

const CHROMIUM = process.env.HOMECAM_CHROMIUM ?? "/usr/bin/chromium";
export const MIN = 60_000;
/** Typed PINs that match nothing, per account, before the page is told to wait. */
export const TYPED_LIMIT = 3;

/** Debian's Chromium driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM} (scripts/setup.sh)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

export interface ClaimApp {
  app: FeatureApp;
  clock: { now: number };
  /** A device pinned by its first request, named `name`, with these cameras. */
  newDevice(name: string, cameras?: string[]): Promise<TestDevice>;
  /** `POST /api/qr/generate` as the device (what the agent does to show a QR code). */
  openSession(device: TestDevice): Promise<PairingSession>;
  /** The grants on a device: e-mail of the user → role. */
  grants(deviceId: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startClaimApp(database: TestDatabase): Promise<ClaimApp> {
  const clock = { now: Date.now() };
  const app = await startFeatureApp(database, {
    now: () => clock.now,
    modules: (ctx) => [
      pairingRoutes({
        ctx,
        push: { toUsers() {}, revoked() {} },
        limits: { typedAccount: { limit: TYPED_LIMIT, windowMs: 15 * MIN } },
      }),
      pairPageRoutes(),
    ],
  });
  const openSession = async (device: TestDevice): Promise<PairingSession> => {
    const auth = `Bearer ${await device.token({ now: Math.floor(clock.now / 1000) })}`;
    const r = await call(app.url, "POST", "/api/qr/generate", { auth, body: {} });
    if (r.status !== 201) throw new Error(`generate answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.data as PairingSession;
  };
  return {
    app,
    clock,
    openSession,
    async newDevice(name, cameras = []) {
      const device = await createTestDevice();
      await openSession(device);
      await app.db.db.updateTable("devices").set({ name }).where("id", "=", device.id).execute();
      for (const [i, camera] of cameras.entries()) {
        await app.db.db
          .insertInto("cameras")
          .values({
            id: randomBytes(9).toString("base64url"),
            device_id: device.id,
            local_id: `cam-${i}`,
            name: camera,
            location: null,
            source_kind: null,
            status: "online",
            status_reason: null,
            created_at: clock.now + i,
            updated_at: clock.now + i,
            removed_at: null,
          })
          .execute();
      }
      return device;
    },
    async grants(deviceId) {
      const rows = await app.db.db
        .selectFrom("device_grants")
        .innerJoin("users", "users.id", "device_grants.user_id")
        .select(["users.email", "device_grants.role"])
        .where("device_grants.device_id", "=", deviceId)
        .execute();
      return Object.fromEntries(rows.map((r) => [r.email, r.role]));
    },
    close: () => app.close(),
  };
}

/** The claim page in one tab, with what the tests read and do there. */
export class ClaimPage {
  /** CSP violations and uncaught script errors seen so far. */
  readonly problems: string[] = [];

  constructor(
    readonly page: Page,
    private readonly base: string,
  ) {
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => this.problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      // Chromium also logs every 4xx answer as a console error; those are expected here.
      if (/Content Security Policy|Trusted Type/i.test(msg.text())) this.problems.push(msg.text());
    });
  }

  /** Open a URL; a fragment-only change (same /pair document) fires hashchange instead of a load. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  /** Wait until the view `name` (signin, register, pin, preview, done) is the one shown. */
  async view(name: string): Promise<void> {
    await this.page.locator(`#${name}-view:not([hidden])`).waitFor();
  }

  async text(selector: string): Promise<string> {
    return ((await this.page.locator(selector).textContent()) ?? "").trim();
  }

  /** Do `action` (which calls the API) and wait until the page has handled the answer. */
  async settle(action: () => Promise<void>): Promise<void> {
    await Promise.all([this.page.waitForResponse((r) => r.url().startsWith(`${this.base}/api/`)), action()]);
    await this.page.locator('body[aria-busy="false"]').waitFor();
  }

  async click(name: string): Promise<void> {
    await this.page.getByRole("button", { name, exact: true }).click();
  }

  async fill(label: string, value: string): Promise<void> {
    // Every view's fields are in the markup; only the shown view's count.
    await this.page.locator("section:not([hidden])").getByLabel(label, { exact: true }).fill(value);
  }

  /** Type a PIN in the 6-digit field and submit it. */
  async typePin(pin: string): Promise<void> {
    await this.fill("PIN", pin);
    await this.settle(() => this.click("Check"));
  }

  /** The page's own state, read with Runtime.evaluate (not subject to the page's CSP). */
  async evaluate(expression: string): Promise<unknown> {
    return this.page.evaluate(expression);
  }
}
