import { readdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogMailer } from "../../../src/mail/log-mailer.js";
import { systemClock } from "../../../src/security/clock.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { captureLogger } from "../../helpers/logs.js";
import { type AccountsTestApp, newEmail, PASSWORD, randomIp, startAccountsApp } from "./accounts-app.js";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on port 0 (the `smtp-server` package) that keeps what it receives. */
async function startSmtp(): Promise<{
  port: number;
  inbox: Received[];
  waitFor(to: string): Promise<Received>;
  close(): Promise<void>;
}> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        raw += chunk;
      });
      stream.on("end", () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    inbox,
    async waitFor(to) {
      for (let i = 0; i < 200; i++) {
        const m = inbox.find((r) => r.to.includes(to));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no mail for ${to}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The 6-digit code on a line of its own in a raw message (plain text, maybe quoted-printable). */
function codeIn(raw: string): string {
  const code = raw.match(/^\s+([0-9]{6})\s*$/m)?.[1];
  if (!code) throw new Error(`no code in:\n${raw}`);
  return code;
}

describe.each(TEST_DIALECTS)("e-mail through a real SMTP server (%s)", (dialect) => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let app: AccountsTestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    smtp = await startSmtp();
    app = await startAccountsApp(database, {
      config: { mail: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: "homecam <cloud@homecam.test>" } },
      // The real mailer from the configuration, not the test's in-memory one.
      deps: { mailer: undefined },
    });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
    await database?.dispose();
  });

  it("the verification code arrives by SMTP and verifies the address; the log never shows it", async () => {
    const email = newEmail("smtp");
    const reg = await app.call("POST", "/api/auth/register", {
      body: { email, password: PASSWORD, name: "Mail Test", agreeTerms: true, agreePrivacy: true },
    });
    expect(reg.status).toBe(201);
    const mail = await smtp.waitFor(email);
    expect(mail.from).toBe("cloud@homecam.test");
    expect(mail.raw).toMatch(/^Subject: homecam: confirm your e-mail address/m);
    const code = codeIn(mail.raw);
    const res = await app.call("POST", "/api/profile/verify-email", {
      token: reg.body.data.accessToken,
      body: { code },
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(app.logs)).not.toContain(code);
    expect(app.logs.some((l) => l.msg === "mail sent" && l.to === email)).toBe(true);
  });

  it("the reset code arrives by SMTP and resets the password", async () => {
    const email = newEmail("smtp");
    await app.call("POST", "/api/auth/register", {
      body: { email, password: PASSWORD, name: "Mail Test", agreeTerms: true, agreePrivacy: true },
    });
    await smtp.waitFor(email);
    smtp.inbox.length = 0;
    expect(
      (await app.call("POST", "/api/auth/password/forgot", { body: { email }, ip: randomIp() })).status,
    ).toBe(200);
    const mail = await smtp.waitFor(email);
    expect(mail.raw).toContain("Subject: homecam: password reset code");
    const reset = await app.call("POST", "/api/auth/password/reset", {
      body: { email, code: codeIn(mail.raw), newPassword: "reset by smtp code" },
    });
    expect(reset.status).toBe(200);
    const login = await app.call("POST", "/api/auth/login", {
      body: { email, password: "reset by smtp code" },
    });
    expect(login.status).toBe(200);
  });
});

describe("the demo mailer (no SMTP)", () => {
  it("logs the message with its code and writes <mailDir>/<timestamp>-<to>.txt", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "homecam-mail-"));
    try {
      const { log, lines } = captureLogger();
      const mailer = new LogMailer({
        from: "homecam <noreply@homecam.local>",
        mailDir: dir,
        log,
        clock: systemClock,
      });
      const message = { to: "a.b+c@example.com", subject: "code", text: "Hello\n\n    123456\n" };
      await mailer.send(message);
      await mailer.send(message);
      const files = (await readdir(dir)).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-a\.b\+c@example\.com(-2)?\.txt$/);
      const text = await readFile(join(dir, files[0] as string), "utf8");
      expect(text).toMatch(
        /^From: homecam <noreply@homecam\.local>\r\nTo: a\.b\+c@example\.com\r\nSubject: code\r\nDate: /,
      );
      expect(text).toContain("\r\n\r\nHello\n\n    123456\n");
      expect(lines.find((l) => l.msg === "mail (no SMTP configured: not sent)")?.text).toContain("123456");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
