import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { importJWK, jwtVerify } from "jose";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vapidKeysFile } from "../../../src/notifications/vapid-keys.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { waitFor } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";
import { type NotificationsStack, startNotificationsStack } from "./notifications-app.js";
import { browserKeys } from "./web-push-decrypt.js";

// The slow channels, each against a real server started here: e-mail through an SMTP server
// (smtp-server), Web Push through a local HTTP server playing the push service, whose body is
// decrypted with the browser's keys and whose VAPID header is verified.

interface Mail {
  to: string[];
  raw: string;
}
interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Quoted-printable soft breaks and escapes undone (nodemailer may encode long lines). */
function unfold(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

describe.each(TEST_DIALECTS)("notification delivery (%s)", (dialect) => {
  let database: TestDatabase;
  let s: NotificationsStack;
  let smtp: SMTPServer;
  let pushService: Server;
  let pushUrl: string;
  const mails: Mail[] = [];
  const pushes: PushRequest[] = [];
  /** Status the push service answers per path (201 unless set). */
  const answer = new Map<string, number>();

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    pushService = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        pushes.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        res.statusCode = answer.get(path) ?? 201;
        res.end();
      });
    });
    await new Promise<void>((resolve) => pushService.listen(0, "127.0.0.1", () => resolve()));
    pushUrl = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
    database = await createTestDatabase(dialect);
    s = await startNotificationsStack(database, { smtpUrl: `smtp://127.0.0.1:${smtpPort}` });
  });
  afterAll(async () => {
    await s?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    pushService?.closeAllConnections();
    await new Promise<void>((resolve) => pushService?.close(() => resolve()));
    await database?.dispose();
  });

  const emailOf = async (userId: string) =>
    (await s.app.db.db.selectFrom("users").select("email").where("id", "=", userId).executeTakeFirstOrThrow())
      .email;

  it("e-mails a motion notification to grant holders with e-mail on and a verified address", async () => {
    const { device } = await s.device({ porch: "Front porch" });
    const [owner, noMail, unverified] = [
      await s.app.createUser(),
      await s.app.createUser(),
      await s.app.createUser(),
    ];
    for (const u of [owner, noMail, unverified])
      await s.grant(device.id, u, u === owner ? "owner" : "viewer");
    await s.app.settings.update(noMail, { emailNotifications: false });
    await s.app.db.db.updateTable("users").set({ email_verified: 0 }).where("id", "=", unverified).execute();

    await s.apply(device.id, "event.started", {
      eventId: "e1",
      cameraId: "porch",
      type: "motion",
      startedAt: Date.now(),
      score: 0.5,
    });
    // Every recipient has the notification in-app; only the owner gets the e-mail.
    await s.settle();
    const to = await emailOf(owner);
    const mail = await waitFor(() => mails.find((m) => m.to.includes(to)), 10_000, "the e-mail");
    const text = unfold(mail.raw);
    expect(text).toMatch(/^Subject: homecam: Motion at Front porch\r?$/m);
    expect(text).toMatch(new RegExp(`^To: ${to}\\r?$`, "m"));
    expect(text).toContain("Movement was detected by Front porch at ");
    for (const u of [noMail, unverified]) {
      const address = await emailOf(u);
      expect(mails.some((m) => m.to.includes(address))).toBe(false);
      expect(
        await s.app.db.db.selectFrom("notifications").select("id").where("user_id", "=", u).execute(),
      ).toHaveLength(1);
    }
  });

  it("delivers Web Push encrypted for the browser with a VAPID header, and forgets a 410'd subscription", async () => {
    const user = await s.app.createUser();
    const other = await s.app.createUser();
    const api = (who: string, method: string, path: string, body?: unknown) =>
      call(s.app.url, method, path, { auth: s.app.bearer(who), ...(body !== undefined ? { body } : {}) });

    const { publicKey } = (await api(user, "GET", "/api/notifications/push/public-key")).body.data;
    const { readFile, stat } = await import("node:fs/promises");
    const file = vapidKeysFile(database.stateDir);
    expect(JSON.parse(await readFile(file, "utf8")).publicKey).toBe(publicKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const browser = browserKeys();
    const keys = { p256dh: browser.p256dh, auth: browser.auth };
    for (const endpoint of ["http://push.example.com/x", "https://10.0.0.1/x", "ftp://127.0.0.1/x"]) {
      const res = await api(user, "POST", "/api/notifications/push/subscriptions", { endpoint, keys });
      expect(res.status, endpoint).toBe(400);
    }
    expect(
      (
        await api(user, "POST", "/api/notifications/push/subscriptions", {
          endpoint: `${pushUrl}/p/1`,
          keys: { ...keys, auth: "short" },
        })
      ).status,
    ).toBe(400);
    const endpoint = `${pushUrl}/p/${user}`;
    const sub = await api(user, "POST", "/api/notifications/push/subscriptions", {
      endpoint,
      keys,
      expirationTime: null,
    });
    expect(sub.status).toBe(201);
    expect(sub.body.data).toMatchObject({ endpoint });

    const created = await api(user, "POST", "/api/notifications", {
      type: "security",
      priority: "critical",
      title: "Door forced",
      message: "Back door",
    });
    await s.settle();
    const request = pushes.find((p) => p.path === `/p/${user}`);
    expect(request).toBeDefined();
    const req = request as PushRequest;
    expect(req.headers["content-encoding"]).toBe("aes128gcm");
    expect(req.headers.ttl).toBe("86400");
    expect(req.headers.urgency).toBe("high");
    const payload = JSON.parse(browser.decrypt(req.body).toString("utf8"));
    expect(payload).toEqual({
      type: "notification",
      notification: {
        id: created.body.data.id,
        type: "security",
        priority: "critical",
        title: "Door forced",
        message: "Back door",
        cameraId: null,
        eventId: null,
        createdAt: created.body.data.createdAt,
      },
    });
    const vapid = /^vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? "");
    expect(vapid?.[2]).toBe(publicKey);
    const point = Buffer.from(publicKey, "base64url");
    const key = await importJWK(
      {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33).toString("base64url"),
      },
      "ES256",
    );
    const { payload: claims } = await jwtVerify(vapid?.[1] ?? "", key, { audience: pushUrl });
    expect(claims.sub).toBe("mailto:admin@homecam.local");

    const subscriptions = () =>
      s.app.db.db.selectFrom("push_subscriptions").selectAll().where("user_id", "=", user).execute();
    // A 500 is counted and kept; a 410 means the browser is gone.
    answer.set(`/p/${user}`, 500);
    await api(user, "POST", "/api/notifications", { title: "again", message: "m" });
    await s.settle();
    expect((await subscriptions())[0]?.failures).toBe(1);
    answer.set(`/p/${user}`, 410);
    await api(user, "POST", "/api/notifications", { title: "again", message: "m" });
    await s.settle();
    expect(await subscriptions()).toEqual([]);
    expect(pushes.filter((p) => p.path === `/p/${user}`)).toHaveLength(3);
    expect(s.app.logs.some((l) => typeof l.msg === "string" && l.msg.includes("subscription gone"))).toBe(
      true,
    );

    // Unsubscribing is for the subscription's own user.
    const again = `${pushUrl}/p/${user}-2`;
    await api(user, "POST", "/api/notifications/push/subscriptions", { endpoint: again, keys });
    expect(
      (await api(other, "DELETE", "/api/notifications/push/subscriptions", { endpoint: again })).status,
    ).toBe(404);
    expect(
      (await api(user, "DELETE", "/api/notifications/push/subscriptions", { endpoint: again })).body.data,
    ).toEqual({ deleted: true });
    expect(await subscriptions()).toEqual([]);
  });
});
