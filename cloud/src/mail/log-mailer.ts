import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@homecam/shared/node";
import type { Clock } from "../security/clock.js";
import type { Mailer, MailMessage } from "./mailer.js";

/**
 * The mailer of a cloud without SMTP (the demo): each message is logged at info level *with its
 * text*, one-time codes included, and, when `mailDir` is set, written to
 * `<mailDir>/<timestamp>-<to>.txt` as an RFC 822-style message.
 *
 * Putting codes in the log is acceptable only here: no mail leaves the machine, so the log (or the
 * mail folder) is the only way the person running the demo can read their code, and whoever can
 * read that log already runs the server. With `mail.smtpUrl` set, SmtpMailer is used instead and
 * never logs a body.
 */
export class LogMailer implements Mailer {
  constructor(
    private readonly opts: { from: string; mailDir?: string | undefined; log: Logger; clock: Clock },
  ) {}

  async send(message: MailMessage): Promise<void> {
    const date = new Date(this.opts.clock.now());
    let file: string | undefined;
    if (this.opts.mailDir) file = await this.write(message, date);
    this.opts.log.info(
      { to: message.to, subject: message.subject, text: message.text, file },
      "mail (no SMTP configured: not sent)",
    );
  }

  async close(): Promise<void> {}

  private async write(message: MailMessage, date: Date): Promise<string> {
    const dir = this.opts.mailDir as string;
    await mkdir(dir, { recursive: true });
    const stamp = date.toISOString().replace(/[-:]/g, "");
    const to = message.to.replace(/[^A-Za-z0-9@._+-]/g, "_").slice(0, 100);
    const body = [
      `From: ${this.opts.from}`,
      `To: ${message.to}`,
      `Subject: ${message.subject}`,
      `Date: ${date.toUTCString()}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      message.text,
    ].join("\r\n");
    // Two messages to one address in the same millisecond get -2, -3… rather than overwrite.
    for (let n = 1; ; n++) {
      const file = join(dir, `${stamp}-${to}${n > 1 ? `-${n}` : ""}.txt`);
      try {
        await writeFile(file, body, { flag: "wx", mode: 0o600 });
        return file;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n > 100) throw err;
      }
    }
  }
}
