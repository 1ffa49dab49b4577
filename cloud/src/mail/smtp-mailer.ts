import type { Logger } from "@homecam/shared/node";
import nodemailer, { type Transporter } from "nodemailer";
import type { Mailer, MailMessage } from "./mailer.js";

/** Sends through an SMTP server (`mail.smtpUrl`). Logs recipient and subject, never the body. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, ...message });
    this.log.info({ to: message.to, subject: message.subject, messageId: info.messageId }, "mail sent");
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
