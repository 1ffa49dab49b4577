/** One outgoing plain-text e-mail. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail. Implementations: SMTP (nodemailer) and, without SMTP, the demo log mailer. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Release connections. Idempotent. */
  close(): Promise<void>;
}
