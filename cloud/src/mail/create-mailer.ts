import type { CloudConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Clock } from "../security/clock.js";
import { LogMailer } from "./log-mailer.js";
import type { Mailer } from "./mailer.js";
import { SmtpMailer } from "./smtp-mailer.js";

/** SMTP when `mail.smtpUrl` is set; otherwise the demo's log (and mailDir) mailer. */
export function createMailer(config: CloudConfig["mail"], log: Logger, clock: Clock): Mailer {
  if (config.smtpUrl) return new SmtpMailer(config.smtpUrl, config.from, log);
  return new LogMailer({ from: config.from, mailDir: config.mailDir, log, clock });
}
